package org.archipelago.media.sdp;

import java.util.ArrayList;
import java.util.List;

/**
 * An answer built by {@link SdpAnswerBuilder}: the description to send back, and what was agreed
 * per accepted m= section and for the transport.
 *
 * @param description        the answer; {@link SessionDescription#toSdp()} gives its text
 * @param negotiatedMedia    the accepted audio and video sections, in m= order
 * @param localSetup         the server's DTLS role: {@link Setup#PASSIVE} means the server is the DTLS server
 * @param remoteIceUfrag     the offerer's ICE username fragment on the bundled transport (for STUN USERNAME checks)
 * @param remoteIcePwd       the offerer's ICE password on the bundled transport
 * @param remoteFingerprints the offerer's certificate fingerprints on the bundled transport (RFC 8842 §5)
 */
public record SdpAnswer(SessionDescription description, List<NegotiatedMedia> negotiatedMedia, Setup localSetup,
                        String remoteIceUfrag, String remoteIcePwd, List<Fingerprint> remoteFingerprints) {
    public SdpAnswer {
        negotiatedMedia = List.copyOf(negotiatedMedia);
        remoteFingerprints = List.copyOf(remoteFingerprints);
    }

    /** The answer as SDP text with CRLF line endings. */
    public String toSdp() {
        return description.toSdp();
    }

    /** What was agreed for the section with this mid, or null when it was rejected or does not exist. */
    public NegotiatedMedia negotiated(String mid) {
        for (NegotiatedMedia media : negotiatedMedia) {
            if (media.mid().equals(mid)) {
                return media;
            }
        }
        return null;
    }

    /** The mids of the sections the answer rejected (port 0), in m= order. */
    public List<String> rejectedMids() {
        List<String> rejected = new ArrayList<>();
        for (MediaDescription section : description.media()) {
            if (section.port() == 0 && section.mid() != null) {
                rejected.add(section.mid());
            }
        }
        return rejected;
    }
}
