package org.archipelago.media.sdp;

import java.util.OptionalLong;

/**
 * A stream the server sends in an m= section, announced in the answer with a=msid (RFC 8830 §2),
 * a=ssrc cname/msid lines (RFC 5576 §4.1) and, with RTX, a=ssrc-group:FID (RFC 4588 §8.1,
 * RFC 5576 §4.2).
 *
 * @param ssrc     the media SSRC
 * @param rtxSsrc  the retransmission SSRC, if the server retransmits on a separate SSRC
 * @param cname    the RTCP CNAME (RFC 7022: one per peer connection, random)
 * @param streamId the MediaStream id the receiving browser groups tracks by
 * @param trackId  the track id
 */
public record SendStream(long ssrc, OptionalLong rtxSsrc, String cname, String streamId, String trackId) {
    public SendStream {
        requireSsrc(ssrc);
        rtxSsrc.ifPresent(SendStream::requireSsrc);
        if (rtxSsrc.isPresent() && rtxSsrc.getAsLong() == ssrc) {
            throw new IllegalArgumentException("RTX SSRC equals the media SSRC: " + ssrc);
        }
        requireText(cname, "cname");
        requireText(streamId, "stream id");
        requireText(trackId, "track id");
    }

    public static SendStream withoutRtx(long ssrc, String cname, String streamId, String trackId) {
        return new SendStream(ssrc, OptionalLong.empty(), cname, streamId, trackId);
    }

    public static SendStream withRtx(long ssrc, long rtxSsrc, String cname, String streamId, String trackId) {
        return new SendStream(ssrc, OptionalLong.of(rtxSsrc), cname, streamId, trackId);
    }

    private static void requireSsrc(long ssrc) {
        if (ssrc < 0 || ssrc > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("SSRC out of range: " + ssrc);
        }
    }

    private static void requireText(String text, String what) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new IllegalArgumentException(what + " must be visible ASCII without spaces: " + text);
            }
        }
    }
}
