package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view over a picture loss indication (PLI: PSFB, PT 206, FMT 1): the receiver of
 * {@code mediaSsrc} lost picture data and asks its sender for a key frame. No FCI.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|  FMT=1  |   PT=206      |          length=2             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of packet sender                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of media source                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc4585#section-6.3.1">RFC 4585 §6.3.1</a>
 */
public final class RtcpPictureLossIndication {
    public static final int FORMAT = 1;
    public static final int LENGTH = 12;

    private ByteBuf buffer;
    private int offset;
    private boolean valid;

    public boolean wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        valid = RtcpHeader.contentLength(buffer, offset, length, RtcpHeader.PAYLOAD_FEEDBACK, FORMAT) >= LENGTH;
        return valid;
    }

    public boolean isValid() {
        return valid;
    }

    public long senderSsrc() {
        return RtcpFeedback.senderSsrc(buffer, offset);
    }

    public long mediaSsrc() {
        return RtcpFeedback.mediaSsrc(buffer, offset);
    }

    public static void write(ByteBuf out, long senderSsrc, long mediaSsrc) {
        int start = RtcpFeedback.start(out, FORMAT, RtcpHeader.PAYLOAD_FEEDBACK, senderSsrc, mediaSsrc);
        RtcpHeader.finish(out, start);
    }
}
