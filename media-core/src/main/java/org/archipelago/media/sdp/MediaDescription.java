package org.archipelago.media.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * One m= section (RFC 8866 §5.14) with the attributes WebRTC uses (RFC 8829 §5.8).
 *
 * <p>Transport attributes (ICE, fingerprint, setup) are those written in this section; when a
 * section has none, the session level applies: see {@link SessionDescription#iceUfrag(MediaDescription)}
 * and its siblings.
 *
 * @param media            the media token of the m= line ({@code audio}, {@code video}, {@code application}, ...)
 * @param port             the m= line port; 0 marks a rejected or stopped section (RFC 8829 §5.2.2,
 *                         RFC 3264 §6) unless the section is bundle-only (RFC 8843 §6)
 * @param protocol         the transport protocol, e.g. {@code UDP/TLS/RTP/SAVPF}, {@code UDP/DTLS/SCTP}
 * @param formats          the format list of the m= line: payload types for RTP, {@code webrtc-datachannel} for SCTP
 * @param connection       the section's c= line, or null
 * @param mid              a=mid (RFC 5888 §4), or null
 * @param direction        the direction attribute, inherited from the session level when absent, sendrecv by default (RFC 8866 §6.7)
 * @param rtcpMux          a=rtcp-mux (RFC 8858)
 * @param rtcpReducedSize  a=rtcp-rsize (RFC 5506 §5)
 * @param codecs           payload formats with an a=rtpmap, in m= line order
 * @param wildcardFeedback a=rtcp-fb:* lines, which apply to every format of the section (RFC 4585 §4.2)
 * @param headerExtensions a=extmap lines (RFC 8285)
 * @param ssrcs            a=ssrc lines grouped by SSRC, in order of first appearance (RFC 5576)
 * @param ssrcGroups       a=ssrc-group lines (RFC 5576 §4.2)
 * @param rids             a=rid lines (RFC 8851)
 * @param simulcast        a=simulcast (RFC 8853), or null
 * @param msids            a=msid lines (RFC 8830)
 * @param iceUfrag         a=ice-ufrag at this level (RFC 8839 §5.4), or null
 * @param icePwd           a=ice-pwd at this level, or null
 * @param iceOptions       a=ice-options tokens at this level (RFC 8839 §5.6)
 * @param fingerprints     a=fingerprint lines at this level (RFC 8122 §5)
 * @param setup            a=setup at this level (RFC 8842 §5), or null
 * @param candidates       a=candidate values as text, without the {@code candidate:} prefix (RFC 8839 §5.1)
 * @param endOfCandidates  a=end-of-candidates (RFC 8838 §8.2)
 * @param sctpPort         a=sctp-port (RFC 8841 §5), or 0 when absent
 * @param maxMessageSize   a=max-message-size (RFC 8841 §6), or -1 when absent
 * @param otherAttributes  attributes not interpreted here, kept in order
 */
public record MediaDescription(
        String media, int port, String protocol, List<String> formats, Connection connection,
        String mid, Direction direction, boolean rtcpMux, boolean rtcpReducedSize,
        List<Codec> codecs, List<RtcpFeedback> wildcardFeedback, List<HeaderExtension> headerExtensions,
        List<SsrcDescription> ssrcs, List<SsrcGroup> ssrcGroups, List<RidDescription> rids,
        Simulcast simulcast, List<Msid> msids,
        String iceUfrag, String icePwd, List<String> iceOptions, List<Fingerprint> fingerprints, Setup setup,
        List<String> candidates, boolean endOfCandidates,
        int sctpPort, long maxMessageSize, List<Attribute> otherAttributes) {

    public MediaDescription {
        formats = List.copyOf(formats);
        codecs = List.copyOf(codecs);
        wildcardFeedback = List.copyOf(wildcardFeedback);
        headerExtensions = List.copyOf(headerExtensions);
        ssrcs = List.copyOf(ssrcs);
        ssrcGroups = List.copyOf(ssrcGroups);
        rids = List.copyOf(rids);
        msids = List.copyOf(msids);
        iceOptions = List.copyOf(iceOptions);
        fingerprints = List.copyOf(fingerprints);
        candidates = List.copyOf(candidates);
        otherAttributes = List.copyOf(otherAttributes);
    }

    public MediaKind kind() {
        return MediaKind.fromToken(media);
    }

    /** Whether this section uses RTP (as opposed to SCTP or something else): its formats are payload types. */
    public boolean isRtp() {
        return protocol.contains("RTP/");
    }

    /** Whether the section carries a=bundle-only (RFC 8843 §6): port 0 then does not mean rejected. */
    public boolean isBundleOnly() {
        return hasAttribute("bundle-only");
    }

    /** Whether the section is rejected or stopped: port 0 without bundle-only (RFC 8829 §5.2.2, RFC 8843 §6). */
    public boolean isRejected() {
        return port == 0 && !isBundleOnly();
    }

    /** The codec with this payload type, or null. */
    public Codec codec(int payloadType) {
        for (Codec codec : codecs) {
            if (codec.payloadType() == payloadType) {
                return codec;
            }
        }
        return null;
    }

    /** The feedback that applies to {@code codec}: its own lines, then the section's wildcard lines. */
    public List<RtcpFeedback> feedbackFor(Codec codec) {
        List<RtcpFeedback> feedback = new ArrayList<>(codec.feedback());
        for (RtcpFeedback wildcard : wildcardFeedback) {
            if (!feedback.contains(wildcard)) {
                feedback.add(wildcard);
            }
        }
        return feedback;
    }

    /** The header extension with this URI, or null. */
    public HeaderExtension headerExtension(String uri) {
        for (HeaderExtension extension : headerExtensions) {
            if (extension.uri().equals(uri)) {
                return extension;
            }
        }
        return null;
    }

    /** Whether an uninterpreted attribute with this name is present. */
    public boolean hasAttribute(String name) {
        for (Attribute attribute : otherAttributes) {
            if (attribute.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    public Builder toBuilder() {
        Builder builder = new Builder(media, port, protocol);
        builder.formats.addAll(formats);
        builder.connection = connection;
        builder.mid = mid;
        builder.direction = direction;
        builder.rtcpMux = rtcpMux;
        builder.rtcpReducedSize = rtcpReducedSize;
        builder.codecs.addAll(codecs);
        builder.wildcardFeedback.addAll(wildcardFeedback);
        builder.headerExtensions.addAll(headerExtensions);
        builder.ssrcs.addAll(ssrcs);
        builder.ssrcGroups.addAll(ssrcGroups);
        builder.rids.addAll(rids);
        builder.simulcast = simulcast;
        builder.msids.addAll(msids);
        builder.iceUfrag = iceUfrag;
        builder.icePwd = icePwd;
        builder.iceOptions.addAll(iceOptions);
        builder.fingerprints.addAll(fingerprints);
        builder.setup = setup;
        builder.candidates.addAll(candidates);
        builder.endOfCandidates = endOfCandidates;
        builder.sctpPort = sctpPort;
        builder.maxMessageSize = maxMessageSize;
        builder.otherAttributes.addAll(otherAttributes);
        return builder;
    }

    public static Builder builder(String media, int port, String protocol) {
        return new Builder(media, port, protocol);
    }

    /** Assembles a {@link MediaDescription}; lists are appended to, fields overwritten. */
    public static final class Builder {
        public String media;
        public int port;
        public String protocol;
        public final List<String> formats = new ArrayList<>();
        public Connection connection;
        public String mid;
        public Direction direction = Direction.SENDRECV;
        public boolean rtcpMux;
        public boolean rtcpReducedSize;
        public final List<Codec> codecs = new ArrayList<>();
        public final List<RtcpFeedback> wildcardFeedback = new ArrayList<>();
        public final List<HeaderExtension> headerExtensions = new ArrayList<>();
        public final List<SsrcDescription> ssrcs = new ArrayList<>();
        public final List<SsrcGroup> ssrcGroups = new ArrayList<>();
        public final List<RidDescription> rids = new ArrayList<>();
        public Simulcast simulcast;
        public final List<Msid> msids = new ArrayList<>();
        public String iceUfrag;
        public String icePwd;
        public final List<String> iceOptions = new ArrayList<>();
        public final List<Fingerprint> fingerprints = new ArrayList<>();
        public Setup setup;
        public final List<String> candidates = new ArrayList<>();
        public boolean endOfCandidates;
        public int sctpPort;
        public long maxMessageSize = -1;
        public final List<Attribute> otherAttributes = new ArrayList<>();

        private Builder(String media, int port, String protocol) {
            this.media = media;
            this.port = port;
            this.protocol = protocol;
        }

        public MediaDescription build() {
            return new MediaDescription(media, port, protocol, formats, connection, mid, direction, rtcpMux,
                    rtcpReducedSize, codecs, wildcardFeedback, headerExtensions, ssrcs, ssrcGroups, rids, simulcast,
                    msids, iceUfrag, icePwd, iceOptions, fingerprints, setup, candidates, endOfCandidates, sctpPort,
                    maxMessageSize, otherAttributes);
        }
    }
}
