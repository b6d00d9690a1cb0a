package org.archipelago.media.sdp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds an offer (RFC 8829 §5.2) for Archipelago's own peers: test clients, load generators and
 * server-to-server relay links. Every section is bundled (RFC 8843) with rtcp-mux (RFC 8858),
 * a=setup:actpass (RFC 8842 §5.2) and the same ICE credentials, fingerprint and host candidates.
 *
 * <p>Payload types and header extension ids follow libwebrtc's numbering, so that offers look like the
 * browsers' offers the server sees in production.
 *
 * <pre>{@code
 * SessionDescription offer = new SdpOfferBuilder()
 *         .iceCredentials(ufrag, pwd)
 *         .fingerprint(fingerprint)
 *         .addMedia(MediaKind.AUDIO, "0", Direction.SENDRECV, SendStream.withoutRtx(1, cname, "s", "a"))
 *         .addMedia(MediaKind.VIDEO, "1", Direction.RECVONLY, null)
 *         .build();
 * }</pre>
 */
public final class SdpOfferBuilder {
    private static final String PROTOCOL = "UDP/TLS/RTP/SAVPF";
    private static final List<RtcpFeedback> VIDEO_FEEDBACK = List.of(RtcpFeedback.GOOG_REMB, RtcpFeedback.TRANSPORT_CC,
            RtcpFeedback.CCM_FIR, RtcpFeedback.NACK, RtcpFeedback.NACK_PLI);

    /**
     * Opus at libwebrtc's payload type 111 with in-band FEC (RFC 7587 §6.1), and RED of Opus at 63
     * (RFC 2198 §5, {@code 111/111}), as Chrome offers them.
     */
    public static final List<Codec> DEFAULT_AUDIO_CODECS = List.of(
            codec(111, "opus", 48000, 2, "minptime=10;useinbandfec=1", List.of(RtcpFeedback.TRANSPORT_CC)),
            codec(63, Codec.RED, 48000, 2, "111/111", List.of()));

    /** VP8, VP9 profile 0, H264 constrained baseline (mode 1) and AV1, each with RTX (RFC 4588). */
    public static final List<Codec> DEFAULT_VIDEO_CODECS = List.of(
            codec(96, "VP8", 90000, 1, "", VIDEO_FEEDBACK),
            rtx(97, 96),
            codec(98, "VP9", 90000, 1, "profile-id=0", VIDEO_FEEDBACK),
            rtx(99, 98),
            codec(109, "H264", 90000, 1, "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
                    VIDEO_FEEDBACK),
            rtx(114, 109),
            codec(45, "AV1", 90000, 1, "", VIDEO_FEEDBACK),
            rtx(46, 45));

    public static final List<HeaderExtension> DEFAULT_AUDIO_EXTENSIONS = List.of(
            extension(1, HeaderExtension.SSRC_AUDIO_LEVEL),
            extension(2, HeaderExtension.ABS_SEND_TIME),
            extension(3, HeaderExtension.TRANSPORT_WIDE_CC),
            extension(4, HeaderExtension.SDES_MID));

    public static final List<HeaderExtension> DEFAULT_VIDEO_EXTENSIONS = List.of(
            extension(2, HeaderExtension.ABS_SEND_TIME),
            extension(13, HeaderExtension.VIDEO_ORIENTATION),
            extension(3, HeaderExtension.TRANSPORT_WIDE_CC),
            extension(5, HeaderExtension.PLAYOUT_DELAY),
            extension(4, HeaderExtension.SDES_MID),
            extension(10, HeaderExtension.SDES_RTP_STREAM_ID),
            extension(11, HeaderExtension.SDES_REPAIRED_RTP_STREAM_ID));

    private String iceUfrag;
    private String icePwd;
    private Fingerprint fingerprint;
    private boolean iceLite;
    private List<HostCandidate> hostCandidates = List.of();
    private final Map<MediaKind, List<Codec>> codecs = new LinkedHashMap<>(Map.of(
            MediaKind.AUDIO, DEFAULT_AUDIO_CODECS, MediaKind.VIDEO, DEFAULT_VIDEO_CODECS));
    private final Map<MediaKind, List<HeaderExtension>> extensions = new LinkedHashMap<>(Map.of(
            MediaKind.AUDIO, DEFAULT_AUDIO_EXTENSIONS, MediaKind.VIDEO, DEFAULT_VIDEO_EXTENSIONS));
    private final List<PlannedSection> sections = new ArrayList<>();
    private long sessionId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;

    /** The offerer's ICE credentials (RFC 8839 §5.4). */
    public SdpOfferBuilder iceCredentials(String ufrag, String pwd) {
        this.iceUfrag = ufrag;
        this.icePwd = pwd;
        return this;
    }

    /** The fingerprint of the offerer's DTLS certificate (RFC 8122 §5). */
    public SdpOfferBuilder fingerprint(Fingerprint certificateFingerprint) {
        this.fingerprint = certificateFingerprint;
        return this;
    }

    /** Whether the offerer is an ICE-lite agent (RFC 8839 §5.3). Off by default. */
    public SdpOfferBuilder iceLite(boolean lite) {
        this.iceLite = lite;
        return this;
    }

    /** Host candidates written in every section, followed by a=end-of-candidates (RFC 8838 §8.2). */
    public SdpOfferBuilder hostCandidates(List<HostCandidate> candidates) {
        this.hostCandidates = List.copyOf(candidates);
        return this;
    }

    /** The codecs offered for {@code kind}, in order of preference, with their payload types. */
    public SdpOfferBuilder codecs(MediaKind kind, List<Codec> offeredCodecs) {
        codecs.put(kind, List.copyOf(offeredCodecs));
        return this;
    }

    /** The header extensions offered for {@code kind}, with their ids (RFC 8285). */
    public SdpOfferBuilder headerExtensions(MediaKind kind, List<HeaderExtension> offeredExtensions) {
        extensions.put(kind, List.copyOf(offeredExtensions));
        return this;
    }

    public SdpOfferBuilder sessionId(long id) {
        this.sessionId = id;
        return this;
    }

    /**
     * Adds an audio or video section.
     *
     * @param sendStream what the offerer sends there, or null when it sends nothing or announces no SSRC
     */
    public SdpOfferBuilder addMedia(MediaKind kind, String mid, Direction direction, SendStream sendStream) {
        if (kind != MediaKind.AUDIO && kind != MediaKind.VIDEO) {
            throw new IllegalArgumentException("only audio and video sections are offered: " + kind);
        }
        for (PlannedSection section : sections) {
            if (section.mid.equals(mid)) {
                throw new IllegalArgumentException("mid used twice: " + mid);
            }
        }
        sections.add(new PlannedSection(kind, mid, direction, sendStream));
        return this;
    }

    /**
     * Builds the offer.
     *
     * @throws IllegalStateException when the ICE credentials, the fingerprint or every section is missing
     */
    public SessionDescription build() {
        if (iceUfrag == null || icePwd == null || fingerprint == null || sections.isEmpty()) {
            throw new IllegalStateException("ICE credentials, fingerprint and at least one section are required");
        }
        SessionDescription.Builder offer = SessionDescription.builder(
                new Origin("archipelago", Long.toString(sessionId), "1", "IN", "IP4", "127.0.0.1"));
        offer.iceLite = iceLite;
        List<String> mids = new ArrayList<>();
        for (PlannedSection planned : sections) {
            mids.add(planned.mid);
            offer.media.add(section(planned));
        }
        offer.groups.add(new Group(Group.BUNDLE, mids));
        return offer.build();
    }

    private MediaDescription section(PlannedSection planned) {
        String media = planned.kind == MediaKind.AUDIO ? "audio" : "video";
        MediaDescription.Builder section = SdpAnswerBuilder.bundledSection(media, PROTOCOL, hostCandidates,
                iceUfrag, icePwd, fingerprint, Setup.ACTPASS);
        List<Codec> offeredCodecs = codecs.get(planned.kind);
        for (Codec codec : offeredCodecs) {
            section.formats.add(Integer.toString(codec.payloadType()));
        }
        section.codecs.addAll(offeredCodecs);
        section.mid = planned.mid;
        section.headerExtensions.addAll(extensions.get(planned.kind));
        section.direction = planned.direction;
        section.rtcpMux = true;
        section.rtcpReducedSize = true;
        SendStream stream = planned.sendStream;
        if (stream != null && planned.direction.sends()) {
            // The offerer sends RTX whenever the stream has an RTX SSRC.
            SdpAnswerBuilder.writeSendStream(section, stream, true);
        }
        for (int i = 0; i < hostCandidates.size(); i++) {
            // One foundation per candidate here, unlike the answer's one per address.
            section.candidates.add(SdpAnswerBuilder.hostCandidateLine(i + 1, i, hostCandidates.get(i)));
        }
        section.endOfCandidates = !hostCandidates.isEmpty();
        return section.build();
    }

    private static Codec codec(int payloadType, String name, int clockRate, int channels, String fmtp,
                               List<RtcpFeedback> feedback) {
        return new Codec(payloadType, name, clockRate, channels, fmtp, Codec.parseFmtp(fmtp), feedback);
    }

    private static Codec rtx(int payloadType, int associatedPayloadType) {
        return codec(payloadType, Codec.RTX, 90000, 1, "apt=" + associatedPayloadType, List.of());
    }

    private static HeaderExtension extension(int id, String uri) {
        return new HeaderExtension(id, uri, null, "");
    }

    private record PlannedSection(MediaKind kind, String mid, Direction direction, SendStream sendStream) {
    }
}
