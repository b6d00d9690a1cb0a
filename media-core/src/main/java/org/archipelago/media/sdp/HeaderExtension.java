package org.archipelago.media.sdp;

/**
 * An a=extmap line (RFC 8285 §8): {@code a=extmap:<id>[/<direction>] <uri> [<attributes>]}.
 *
 * @param id         the extension id carried in RTP packets (1-14 one-byte, 1-255 two-byte form)
 * @param uri        the extension's name
 * @param direction  the optional direction, or null when the line has none
 * @param attributes extension attributes after the URI, or the empty string
 */
public record HeaderExtension(int id, String uri, Direction direction, String attributes) {
    public static final String SDES_MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
    public static final String SSRC_AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
    public static final String ABS_SEND_TIME = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
    public static final String TRANSPORT_WIDE_CC =
            "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    public static final String SDES_RTP_STREAM_ID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    public static final String SDES_REPAIRED_RTP_STREAM_ID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    public static final String VIDEO_ORIENTATION = "urn:3gpp:video-orientation";
    public static final String PLAYOUT_DELAY = "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";

    String toSdpValue() {
        StringBuilder value = new StringBuilder().append(id);
        if (direction != null) {
            value.append('/').append(direction.token());
        }
        value.append(' ').append(uri);
        if (!attributes.isEmpty()) {
            value.append(' ').append(attributes);
        }
        return value.toString();
    }
}
