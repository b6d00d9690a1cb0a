package org.archipelago.media.sdp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Answers a browser's offer (RFC 8829 §5.3) as Archipelago's server: ICE-lite (RFC 8839 §5.3), DTLS
 * passive unless the offer is passive (RFC 8842 §5.2), one BUNDLE transport (RFC 8843) with rtcp-mux
 * only (RFC 8858).
 *
 * <p>Each offered m= section stays in place (RFC 3264 §6). A section is accepted when it is audio or
 * video over SRTP, has a mid in the offer's BUNDLE group, offers rtcp-mux and shares at least one codec
 * with the server; otherwise it is rejected with port 0 (RFC 8829 §5.3.1). Data channels are rejected
 * for now. Accepted sections keep the offer's payload types and header extension ids (RFC 3264 §6.1,
 * RFC 8285 §6) and list codecs in the server's order of preference, each followed by its RTX. RED
 * (RFC 2198) is accepted only when every block its fmtp names is a format the section accepts.
 *
 * <pre>{@code
 * SdpAnswer answer = new SdpAnswerBuilder(SdpParser.parse(offerText))
 *         .iceCredentials(ufrag, pwd)
 *         .fingerprint(new Fingerprint("sha-256", "AB:CD:..."))
 *         .hostCandidates(List.of(new HostCandidate("192.0.2.1", 3478)))
 *         .sendStream("1", SendStream.withRtx(1111, 2222, cname, "stream", "track"))
 *         .build();
 * String text = answer.toSdp();
 * }</pre>
 */
public final class SdpAnswerBuilder {
    /** The header extensions the server understands, in the order they are documented in. */
    public static final List<String> DEFAULT_HEADER_EXTENSIONS = List.of(
            HeaderExtension.SDES_MID,
            HeaderExtension.SSRC_AUDIO_LEVEL,
            HeaderExtension.ABS_SEND_TIME,
            HeaderExtension.TRANSPORT_WIDE_CC,
            HeaderExtension.SDES_RTP_STREAM_ID,
            HeaderExtension.SDES_REPAIRED_RTP_STREAM_ID,
            HeaderExtension.VIDEO_ORIENTATION,
            HeaderExtension.PLAYOUT_DELAY);

    /** The RTCP feedback the server produces or consumes (RFC 4585, RFC 5104, REMB, transport-wide CC). */
    public static final List<RtcpFeedback> DEFAULT_RTCP_FEEDBACK = List.of(
            RtcpFeedback.NACK, RtcpFeedback.NACK_PLI, RtcpFeedback.CCM_FIR, RtcpFeedback.GOOG_REMB,
            RtcpFeedback.TRANSPORT_CC);

    /** RFC 8839 §5.1 / RFC 8445 §5.1.2.1: type preference 126 for host candidates. */
    private static final int HOST_TYPE_PREFERENCE = 126;
    private static final int RTP_COMPONENT_ID = 1;
    /** RFC 8829 §5.3.1: the port and address of an m= section when no candidate gives them. */
    private static final int DISCARD_PORT = 9;
    /** RFC 8285 §4.2: the one-byte header form carries ids 1 to 14. */
    private static final int MAX_ONE_BYTE_EXTENSION_ID = 14;
    /** RFC 8285 §6: one- and two-byte header extensions may be mixed in a stream. */
    private static final String EXTMAP_ALLOW_MIXED = "extmap-allow-mixed";

    private final SessionDescription offer;
    private String iceUfrag;
    private String icePwd;
    private Fingerprint fingerprint;
    private List<HostCandidate> hostCandidates = List.of();
    private List<SupportedCodec> codecs = SupportedCodec.defaults();
    private List<RtcpFeedback> rtcpFeedback = DEFAULT_RTCP_FEEDBACK;
    private List<String> headerExtensions = DEFAULT_HEADER_EXTENSIONS;
    private boolean rtx = true;
    private boolean twoByteHeaderExtensions;
    private long sessionId = ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
    private final Map<String, Direction> directions = new HashMap<>();
    private final Map<String, SendStream> sendStreams = new HashMap<>();

    public SdpAnswerBuilder(SessionDescription offer) {
        this.offer = offer;
    }

    /** The server's ICE credentials for this peer (RFC 8839 §5.4: ufrag 4-256, pwd 22-256 ice-chars). */
    public SdpAnswerBuilder iceCredentials(String ufrag, String pwd) {
        requireIceChars(ufrag, 4, "ICE ufrag");
        requireIceChars(pwd, 22, "ICE pwd");
        this.iceUfrag = ufrag;
        this.icePwd = pwd;
        return this;
    }

    /** The fingerprint of the server's DTLS certificate (RFC 8122 §5), e.g. sha-256. */
    public SdpAnswerBuilder fingerprint(Fingerprint fingerprint) {
        this.fingerprint = fingerprint;
        return this;
    }

    /** The server's host candidates, in order of preference; all usually share one UDP port. */
    public SdpAnswerBuilder hostCandidates(List<HostCandidate> candidates) {
        this.hostCandidates = List.copyOf(candidates);
        return this;
    }

    /** The codecs the server accepts, in order of preference. Defaults to {@link SupportedCodec#defaults()}. */
    public SdpAnswerBuilder codecs(List<SupportedCodec> supportedCodecs) {
        this.codecs = List.copyOf(supportedCodecs);
        return this;
    }

    /** The RTCP feedback the server supports; the answer keeps offered feedback in this list. */
    public SdpAnswerBuilder rtcpFeedback(List<RtcpFeedback> supportedFeedback) {
        this.rtcpFeedback = List.copyOf(supportedFeedback);
        return this;
    }

    /** The URIs of the header extensions the server supports. Defaults to {@link #DEFAULT_HEADER_EXTENSIONS}. */
    public SdpAnswerBuilder headerExtensions(List<String> supportedUris) {
        this.headerExtensions = List.copyOf(supportedUris);
        return this;
    }

    /** Whether to accept offered RTX formats (RFC 4588) with their codecs. On by default. */
    public SdpAnswerBuilder rtx(boolean acceptRtx) {
        this.rtx = acceptRtx;
        return this;
    }

    /**
     * Whether the server reads and writes two-byte header extensions (RFC 8285 §4.3). Off by default:
     * offered extensions with ids above 14 are then left out of the answer, and a=extmap-allow-mixed is
     * not echoed, so the peer keeps to the one-byte form. On: all ids are kept and an offered
     * a=extmap-allow-mixed is echoed (RFC 8285 §6).
     */
    public SdpAnswerBuilder twoByteHeaderExtensions(boolean supported) {
        this.twoByteHeaderExtensions = supported;
        return this;
    }

    /** The o= line's session id (RFC 8829 §5.2.1); random by default. */
    public SdpAnswerBuilder sessionId(long id) {
        if (id < 0) {
            throw new IllegalArgumentException("session id must not be negative: " + id);
        }
        this.sessionId = id;
        return this;
    }

    /**
     * The direction the server wants for the section with this mid. The answer uses what both this and
     * the offer allow (RFC 3264 §6.1): asking sendrecv of a sendonly offer gives recvonly. By default the
     * server takes the reverse of the offer's direction.
     */
    public SdpAnswerBuilder direction(String mid, Direction direction) {
        directions.put(mid, direction);
        return this;
    }

    /** The stream the server sends in the section with this mid, when the answer's direction sends. */
    public SdpAnswerBuilder sendStream(String mid, SendStream stream) {
        sendStreams.put(mid, stream);
        return this;
    }

    /**
     * Builds the answer.
     *
     * @throws IllegalStateException when the ICE credentials or the fingerprint were not given
     */
    public SdpAnswer build() {
        if (iceUfrag == null || fingerprint == null) {
            throw new IllegalStateException("ICE credentials and DTLS fingerprint are required");
        }
        Group offeredBundle = offer.bundleGroup();
        List<MediaDescription> answerSections = new ArrayList<>();
        List<NegotiatedMedia> negotiated = new ArrayList<>();
        Set<String> acceptedMids = new HashSet<>();
        for (MediaDescription offered : offer.media()) {
            NegotiatedMedia media = isAcceptable(offered, offeredBundle) ? negotiate(offered) : null;
            if (media == null) {
                answerSections.add(rejectedSection(offered));
            } else {
                negotiated.add(media);
                acceptedMids.add(media.mid());
                answerSections.add(null);
            }
        }

        // RFC 8843 §7.3.1: the answer's group keeps the offer's order; its first mid is the answerer
        // BUNDLE-tag, whose section carries the candidates of the shared transport.
        List<String> bundleMids = new ArrayList<>();
        if (offeredBundle != null) {
            for (String mid : offeredBundle.mids()) {
                if (acceptedMids.contains(mid)) {
                    bundleMids.add(mid);
                }
            }
        }
        String taggedMid = bundleMids.isEmpty() ? null : bundleMids.get(0);
        MediaDescription taggedOffer = taggedMid == null ? null : offer.media(taggedMid);
        Setup offeredSetup = taggedOffer == null ? null : offer.setup(taggedOffer);
        // RFC 8842 §5.2: answer an actpass (or active) offer with passive, so the server is the DTLS
        // server; only a passive offer makes the server the DTLS client.
        Setup localSetup = offeredSetup == Setup.PASSIVE ? Setup.ACTIVE : Setup.PASSIVE;

        int negotiatedIndex = 0;
        for (int i = 0; i < answerSections.size(); i++) {
            if (answerSections.get(i) == null) {
                NegotiatedMedia media = negotiated.get(negotiatedIndex++);
                answerSections.set(i, acceptedSection(offer.media().get(i), media, localSetup,
                        media.mid().equals(taggedMid)));
            }
        }

        SessionDescription.Builder answer = SessionDescription.builder(
                new Origin("archipelago", Long.toString(sessionId), "2", "IN", "IP4", "127.0.0.1"));
        answer.iceLite = true;
        if (twoByteHeaderExtensions && hasAttribute(offer.otherAttributes(), EXTMAP_ALLOW_MIXED)) {
            answer.otherAttributes.add(new Attribute(EXTMAP_ALLOW_MIXED, null));
        }
        if (!bundleMids.isEmpty()) {
            answer.groups.add(new Group(Group.BUNDLE, bundleMids));
        }
        answer.media.addAll(answerSections);
        return new SdpAnswer(answer.build(), negotiated, localSetup,
                taggedOffer == null ? null : offer.iceUfrag(taggedOffer),
                taggedOffer == null ? null : offer.icePwd(taggedOffer),
                taggedOffer == null ? List.of() : offer.fingerprints(taggedOffer));
    }

    private static boolean isAcceptable(MediaDescription offered, Group offeredBundle) {
        MediaKind kind = offered.kind();
        return (kind == MediaKind.AUDIO || kind == MediaKind.VIDEO)
                && !offered.isRejected()
                && isDtlsSrtp(offered.protocol())
                && offered.mid() != null
                && offeredBundle != null && offeredBundle.mids().contains(offered.mid())
                && offered.rtcpMux();
    }

    /** RFC 8829 §5.1.2: WebRTC media runs over DTLS-SRTP, {@code UDP/TLS/RTP/SAVPF} (or the older {@code RTP/SAVPF}). */
    private static boolean isDtlsSrtp(String protocol) {
        return protocol.equals("UDP/TLS/RTP/SAVPF") || protocol.equals("RTP/SAVPF")
                || protocol.equals("UDP/TLS/RTP/SAVP") || protocol.equals("RTP/SAVP");
    }

    /** The agreed parameters of an acceptable section, or null when no codec is common. */
    private NegotiatedMedia negotiate(MediaDescription offered) {
        List<Codec> answerCodecs = new ArrayList<>();
        Map<Integer, Integer> rtxToPrimary = new LinkedHashMap<>();
        Set<Integer> usedPayloadTypes = new HashSet<>();
        Set<Integer> acceptedMedia = acceptedMediaPayloadTypes(offered);
        for (SupportedCodec supported : codecs) {
            for (Codec offeredCodec : offered.codecs()) {
                if (offeredCodec.isRtx() || !supported.accepts(offered.kind(), offeredCodec)
                        || (offeredCodec.isRed() && !acceptedMedia.containsAll(offeredCodec.redBlockPayloadTypes()))
                        || !usedPayloadTypes.add(offeredCodec.payloadType())) {
                    continue;
                }
                answerCodecs.add(offeredCodec.withFmtpAndFeedback(supported.answerFmtp(offeredCodec),
                        commonFeedback(offered.feedbackFor(offeredCodec))));
                Codec offeredRtx = rtx ? rtxFor(offered, offeredCodec) : null;
                if (offeredRtx != null) {
                    answerCodecs.add(offeredRtx.withFmtpAndFeedback("apt=" + offeredCodec.payloadType(), List.of()));
                    rtxToPrimary.put(offeredRtx.payloadType(), offeredCodec.payloadType());
                }
            }
        }
        if (answerCodecs.isEmpty()) {
            return null;
        }

        List<HeaderExtension> answerExtensions = new ArrayList<>();
        for (HeaderExtension extension : offered.headerExtensions()) {
            boolean idFits = twoByteHeaderExtensions || extension.id() <= MAX_ONE_BYTE_EXTENSION_ID;
            if (idFits && headerExtensions.contains(extension.uri())) {
                // RFC 8285 §7: an offered sendonly extension is answered recvonly, and so on.
                Direction direction = extension.direction() == null ? null : extension.direction().reversed();
                answerExtensions.add(new HeaderExtension(extension.id(), extension.uri(), direction, ""));
            }
        }

        Direction allowed = offered.direction().reversed();
        Direction requested = directions.getOrDefault(offered.mid(), allowed);
        Direction direction = requested.intersect(allowed);

        // The offerer's streams matter only when the server receives them.
        boolean offererSends = direction.receives();
        List<RidDescription> remoteRids = direction.receives() ? acceptedSendRids(offered, answerCodecs) : List.of();
        SendStream sendStream = direction.sends() ? sendStreams.get(offered.mid()) : null;
        return new NegotiatedMedia(offered.mid(), offered.kind(), direction, answerCodecs, rtxToPrimary,
                answerExtensions,
                offererSends ? offered.ssrcs() : List.of(),
                offererSends ? offered.ssrcGroups() : List.of(),
                remoteRids,
                offererSends ? offered.msids() : List.of(),
                sendStream);
    }

    /**
     * The payload types of the offered media formats the server accepts, RTX and RED aside: what a
     * RED format's blocks must be for RED to be accepted (RFC 2198 §5 names them in its fmtp). A
     * receiver without one of them could not decode that block.
     */
    private Set<Integer> acceptedMediaPayloadTypes(MediaDescription offered) {
        Set<Integer> accepted = new HashSet<>();
        for (Codec offeredCodec : offered.codecs()) {
            if (offeredCodec.isRtx() || offeredCodec.isRed()) {
                continue;
            }
            for (SupportedCodec supported : codecs) {
                if (supported.accepts(offered.kind(), offeredCodec)) {
                    accepted.add(offeredCodec.payloadType());
                    break;
                }
            }
        }
        return accepted;
    }

    /** RFC 4588 §8.6: the offered RTX format whose apt names {@code primary}, with the same clock rate. */
    private static Codec rtxFor(MediaDescription offered, Codec primary) {
        for (Codec codec : offered.codecs()) {
            if (codec.isRtx() && codec.clockRate() == primary.clockRate()
                    && codec.apt().isPresent() && codec.apt().getAsInt() == primary.payloadType()) {
                return codec;
            }
        }
        return null;
    }

    private List<RtcpFeedback> commonFeedback(List<RtcpFeedback> offeredFeedback) {
        List<RtcpFeedback> common = new ArrayList<>();
        for (RtcpFeedback feedback : offeredFeedback) {
            if (rtcpFeedback.contains(feedback) && !common.contains(feedback)) {
                common.add(feedback);
            }
        }
        return common;
    }

    /**
     * The offered send rids the server receives: those an a=simulcast send list names (RFC 8853 §5.3)
     * and whose pt restriction, if any, keeps a format of the answer (RFC 8851 §5), in simulcast order.
     */
    private static List<RidDescription> acceptedSendRids(MediaDescription offered, List<Codec> answerCodecs) {
        Simulcast simulcast = offered.simulcast();
        if (simulcast == null || simulcast.send().isEmpty()) {
            return List.of();
        }
        Set<Integer> answerPayloadTypes = new HashSet<>();
        for (Codec codec : answerCodecs) {
            answerPayloadTypes.add(codec.payloadType());
        }
        List<RidDescription> accepted = new ArrayList<>();
        Set<String> seenIds = new HashSet<>();
        for (String id : simulcast.ridIds(StreamDirection.SEND)) {
            if (!seenIds.add(id)) {
                continue;
            }
            for (RidDescription rid : offered.rids()) {
                if (rid.id().equals(id) && rid.direction() == StreamDirection.SEND) {
                    List<Integer> payloadTypes = new ArrayList<>(rid.payloadTypes());
                    payloadTypes.retainAll(answerPayloadTypes);
                    if (rid.payloadTypes().isEmpty() || !payloadTypes.isEmpty()) {
                        accepted.add(new RidDescription(rid.id(), rid.direction(), payloadTypes, rid.restrictions()));
                    }
                }
            }
        }
        return accepted;
    }

    private MediaDescription acceptedSection(MediaDescription offered, NegotiatedMedia media, Setup localSetup,
                                             boolean bundleTagged) {
        MediaDescription.Builder section = bundledSection(offered.media(), offered.protocol(), hostCandidates,
                iceUfrag, icePwd, fingerprint, localSetup);
        for (Codec codec : media.codecs()) {
            section.formats.add(Integer.toString(codec.payloadType()));
        }
        section.mid = media.mid();
        section.headerExtensions.addAll(media.headerExtensions());
        section.direction = media.direction();
        section.rtcpMux = true;
        section.rtcpReducedSize = offered.rtcpReducedSize();
        section.codecs.addAll(media.codecs());
        SendStream stream = media.sendStream();
        if (stream != null) {
            writeSendStream(section, stream, !media.rtxToPrimary().isEmpty());
        }
        if (!media.remoteRids().isEmpty()) {
            List<Simulcast.Stream> streams = new ArrayList<>();
            for (Simulcast.Stream offeredStream : offered.simulcast().send()) {
                List<Simulcast.Rid> alternatives = new ArrayList<>();
                for (Simulcast.Rid rid : offeredStream.alternatives()) {
                    if (hasRid(media.remoteRids(), rid.id())) {
                        alternatives.add(rid);
                    }
                }
                if (!alternatives.isEmpty()) {
                    streams.add(new Simulcast.Stream(alternatives));
                }
            }
            // RFC 8853 §5.3: the answerer receives what the offerer sends, so send rids become recv rids.
            for (RidDescription rid : media.remoteRids()) {
                section.rids.add(new RidDescription(rid.id(), StreamDirection.RECV, rid.payloadTypes(),
                        rid.restrictions()));
            }
            section.simulcast = new Simulcast(List.of(), streams);
        }
        if (twoByteHeaderExtensions && offered.hasAttribute(EXTMAP_ALLOW_MIXED)) {
            section.otherAttributes.add(new Attribute(EXTMAP_ALLOW_MIXED, null));
        }
        if (bundleTagged) {
            addCandidates(section);
        }
        return section.build();
    }

    // Shared with SdpOfferBuilder: both describe one BUNDLE transport (RFC 8843) the same way.

    /**
     * An m= section on the shared transport: port and c= from the first host candidate, or the discard
     * port and 0.0.0.0 without one (RFC 8829 §5.3.1), with the ICE credentials (RFC 8839 §5.4), the
     * certificate fingerprint (RFC 8122 §5) and the DTLS role (RFC 8842 §5.2).
     */
    static MediaDescription.Builder bundledSection(String media, String protocol, List<HostCandidate> hostCandidates,
                                                   String iceUfrag, String icePwd, Fingerprint fingerprint,
                                                   Setup setup) {
        HostCandidate defaultCandidate = hostCandidates.isEmpty() ? null : hostCandidates.get(0);
        MediaDescription.Builder section = MediaDescription.builder(media,
                defaultCandidate == null ? DISCARD_PORT : defaultCandidate.port(), protocol);
        section.connection = defaultCandidate == null
                ? Connection.UNSPECIFIED_IP4
                : new Connection("IN", defaultCandidate.isIpv6() ? "IP6" : "IP4", defaultCandidate.address());
        section.iceUfrag = iceUfrag;
        section.icePwd = icePwd;
        section.fingerprints.add(fingerprint);
        section.setup = setup;
        return section;
    }

    /** RFC 8830 §2 a=msid, RFC 5576 §4 a=ssrc and a=ssrc-group:FID (RFC 4588 §8.1). */
    static void writeSendStream(MediaDescription.Builder section, SendStream stream, boolean rtxNegotiated) {
        section.msids.add(new Msid(stream.streamId(), stream.trackId()));
        String msid = stream.streamId() + " " + stream.trackId();
        boolean withRtx = rtxNegotiated && stream.rtxSsrc().isPresent();
        if (withRtx) {
            section.ssrcGroups.add(new SsrcGroup(SsrcGroup.FID, List.of(stream.ssrc(), stream.rtxSsrc().getAsLong())));
        }
        section.ssrcs.add(new SsrcDescription(stream.ssrc(),
                List.of(new Attribute("cname", stream.cname()), new Attribute("msid", msid))));
        if (withRtx) {
            section.ssrcs.add(new SsrcDescription(stream.rtxSsrc().getAsLong(),
                    List.of(new Attribute("cname", stream.cname()), new Attribute("msid", msid))));
        }
    }

    /**
     * RFC 8839 §5.1 candidate line for the {@code index}-th host candidate (in order of preference) of
     * the RTP component: priority = 2^24 * type preference + 2^8 * local preference +
     * (256 - component id) (RFC 8445 §5.1.2.1).
     */
    static String hostCandidateLine(int foundation, int index, HostCandidate candidate) {
        long localPreference = Math.max(0, 65535 - index);
        long priority = ((long) HOST_TYPE_PREFERENCE << 24) + (localPreference << 8) + (256 - RTP_COMPONENT_ID);
        return foundation + " " + RTP_COMPONENT_ID + " udp " + priority + " "
                + candidate.address() + " " + candidate.port() + " typ host";
    }

    /**
     * The host candidates with one foundation per address (RFC 8445 §5.1.1.3). An ICE-lite server
     * gathers nothing more, so the list ends with a=end-of-candidates (RFC 8838 §8.2).
     */
    private void addCandidates(MediaDescription.Builder section) {
        Map<String, Integer> foundations = new LinkedHashMap<>();
        for (int i = 0; i < hostCandidates.size(); i++) {
            HostCandidate candidate = hostCandidates.get(i);
            int foundation = foundations.computeIfAbsent(candidate.address(), address -> foundations.size() + 1);
            section.candidates.add(hostCandidateLine(foundation, i, candidate));
        }
        section.endOfCandidates = true;
    }

    /**
     * RFC 8829 §5.3.1 / RFC 3264 §6: a rejected section keeps its place with port 0, the offer's
     * formats and mid, and no transport of its own; RFC 8843 §7.3.3 keeps it out of the BUNDLE group.
     */
    private static MediaDescription rejectedSection(MediaDescription offered) {
        MediaDescription.Builder section = MediaDescription.builder(offered.media(), 0, offered.protocol());
        section.formats.addAll(offered.formats());
        if (offered.isRtp()) {
            section.direction = Direction.INACTIVE;
        }
        section.connection = Connection.UNSPECIFIED_IP4;
        section.mid = offered.mid();
        return section.build();
    }

    private static boolean hasAttribute(List<Attribute> attributes, String name) {
        for (Attribute attribute : attributes) {
            if (attribute.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasRid(List<RidDescription> rids, String id) {
        for (RidDescription rid : rids) {
            if (rid.id().equals(id)) {
                return true;
            }
        }
        return false;
    }

    private static void requireIceChars(String text, int minLength, String what) {
        if (text == null || text.length() < minLength || text.length() > 256) {
            throw new IllegalArgumentException(what + " must be " + minLength + " to 256 characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '/')) {
                throw new IllegalArgumentException(what + " has a character outside ALPHA / DIGIT / + / /: " + c);
            }
        }
    }
}
