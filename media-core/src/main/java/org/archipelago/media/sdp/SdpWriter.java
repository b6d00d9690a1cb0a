package org.archipelago.media.sdp;

import java.util.List;

/**
 * Writes a {@link SessionDescription} as SDP text: lines in the order RFC 8866 §5 requires, CRLF
 * endings, and within an m= section the attribute order libwebrtc writes (transport, mid, extmap,
 * direction, msid, rtcp-mux, codecs, ssrc, rid, simulcast, sctp, candidates), which every browser reads.
 */
final class SdpWriter {
    private static final String CRLF = "\r\n";

    private final StringBuilder text = new StringBuilder(4096);

    private SdpWriter() {
    }

    static String write(SessionDescription description) {
        SdpWriter writer = new SdpWriter();
        writer.writeSession(description);
        Direction inherited = description.direction() != null ? description.direction() : Direction.SENDRECV;
        for (MediaDescription section : description.media()) {
            writer.writeMedia(section, inherited);
        }
        return writer.text.toString();
    }

    private void writeSession(SessionDescription session) {
        line("v=0");
        line("o=" + session.origin());
        line("s=" + session.sessionName());
        if (session.connection() != null) {
            line("c=" + session.connection());
        }
        line("t=" + session.startTime() + " " + session.stopTime());
        if (session.iceLite()) {
            attribute("ice-lite");
        }
        for (Group group : session.groups()) {
            attribute("group:" + group.semantics() + (group.mids().isEmpty() ? "" : " " + String.join(" ", group.mids())));
        }
        writeTransport(session.iceUfrag(), session.icePwd(), session.iceOptions(), session.fingerprints(),
                session.setup());
        if (session.direction() != null) {
            attribute(session.direction().token());
        }
        writeOthers(session.otherAttributes());
    }

    private void writeMedia(MediaDescription section, Direction inherited) {
        line("m=" + section.media() + " " + section.port() + " " + section.protocol()
                + (section.formats().isEmpty() ? "" : " " + String.join(" ", section.formats())));
        if (section.connection() != null) {
            line("c=" + section.connection());
        }
        writeTransport(section.iceUfrag(), section.icePwd(), section.iceOptions(), section.fingerprints(),
                section.setup());
        if (section.mid() != null) {
            attribute("mid:" + section.mid());
        }
        for (HeaderExtension extension : section.headerExtensions()) {
            attribute("extmap:" + extension.toSdpValue());
        }
        // Application sections have no direction of their own (RFC 8841); write one only when it
        // differs from what the section inherits, so that the text parses back to the same model.
        if (section.kind() != MediaKind.APPLICATION || section.direction() != inherited) {
            attribute(section.direction().token());
        }
        for (Msid msid : section.msids()) {
            attribute("msid:" + msid);
        }
        if (section.rtcpMux()) {
            attribute("rtcp-mux");
        }
        if (section.rtcpReducedSize()) {
            attribute("rtcp-rsize");
        }
        for (RtcpFeedback feedback : section.wildcardFeedback()) {
            attribute("rtcp-fb:* " + feedback);
        }
        for (Codec codec : section.codecs()) {
            attribute("rtpmap:" + codec.rtpmapValue());
            for (RtcpFeedback feedback : codec.feedback()) {
                attribute("rtcp-fb:" + codec.payloadType() + " " + feedback);
            }
            if (!codec.fmtp().isEmpty()) {
                attribute("fmtp:" + codec.payloadType() + " " + codec.fmtp());
            }
        }
        for (SsrcGroup group : section.ssrcGroups()) {
            StringBuilder value = new StringBuilder("ssrc-group:").append(group.semantics());
            for (long ssrc : group.ssrcs()) {
                value.append(' ').append(ssrc);
            }
            attribute(value.toString());
        }
        for (SsrcDescription ssrc : section.ssrcs()) {
            for (Attribute sourceAttribute : ssrc.attributes()) {
                attribute("ssrc:" + ssrc.ssrc() + " " + sourceAttribute.toSdpValue());
            }
        }
        for (RidDescription rid : section.rids()) {
            attribute("rid:" + rid.toSdpValue());
        }
        if (section.simulcast() != null) {
            attribute("simulcast:" + section.simulcast().toSdpValue());
        }
        if (section.sctpPort() != 0) {
            attribute("sctp-port:" + section.sctpPort());
        }
        if (section.maxMessageSize() >= 0) {
            attribute("max-message-size:" + section.maxMessageSize());
        }
        writeOthers(section.otherAttributes());
        for (String candidate : section.candidates()) {
            attribute("candidate:" + candidate);
        }
        if (section.endOfCandidates()) {
            attribute("end-of-candidates");
        }
    }

    private void writeTransport(String iceUfrag, String icePwd, List<String> iceOptions,
                                List<Fingerprint> fingerprints, Setup setup) {
        if (iceUfrag != null) {
            attribute("ice-ufrag:" + iceUfrag);
        }
        if (icePwd != null) {
            attribute("ice-pwd:" + icePwd);
        }
        if (!iceOptions.isEmpty()) {
            attribute("ice-options:" + String.join(" ", iceOptions));
        }
        for (Fingerprint fingerprint : fingerprints) {
            attribute("fingerprint:" + fingerprint);
        }
        if (setup != null) {
            attribute("setup:" + setup.token());
        }
    }

    private void writeOthers(List<Attribute> attributes) {
        for (Attribute other : attributes) {
            attribute(other.toSdpValue());
        }
    }

    private void attribute(String value) {
        line("a=" + value);
    }

    private void line(String line) {
        text.append(line).append(CRLF);
    }
}
