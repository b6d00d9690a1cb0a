package org.archipelago.media.rtcp;

import io.netty.buffer.ByteBuf;

/**
 * A reusable view over a full intra request (FIR: PSFB, PT 206, FMT 4). Each FCI entry asks the
 * sender of one SSRC for a decoder refresh point; the command sequence number lets the sender
 * tell a repeated request from a new one.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |V=2|P|  FMT=4  |   PT=206      |          length               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                  SSRC of packet sender                        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |             SSRC of media source (unused, 0)                  |
 * +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
 * |                              SSRC                             |  one or more
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  entries
 * | Seq nr.       |    Reserved (0)                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc5104#section-4.3.1">RFC 5104 §4.3.1</a>
 */
public final class RtcpFullIntraRequest {
    public static final int FORMAT = 4;

    static final int ENTRY_LENGTH = 8;
    static final int ENTRY_SEQUENCE_NUMBER_OFFSET = 4;
    static final int RESERVED_LENGTH = 3;

    private ByteBuf buffer;
    private int offset;
    private boolean valid;
    private int entryCount;

    /** Points this view at the packet at {@code offset} and checks it holds at least one entry. */
    public boolean wrap(ByteBuf buffer, int offset, int length) {
        this.buffer = buffer;
        this.offset = offset;
        int content = RtcpHeader.contentLength(buffer, offset, length, RtcpHeader.PAYLOAD_FEEDBACK, FORMAT);
        entryCount = content < RtcpFeedback.FCI_OFFSET ? 0 : (content - RtcpFeedback.FCI_OFFSET) / ENTRY_LENGTH;
        valid = entryCount > 0;
        return valid;
    }

    public boolean isValid() {
        return valid;
    }

    public long senderSsrc() {
        return RtcpFeedback.senderSsrc(buffer, offset);
    }

    public int entryCount() {
        return entryCount;
    }

    /** SSRC of the media sender asked for a refresh by entry {@code index}. */
    public long entrySsrc(int index) {
        return buffer.getUnsignedInt(offset + RtcpFeedback.FCI_OFFSET + ENTRY_LENGTH * index);
    }

    /** Command sequence number of entry {@code index}, incremented by the requester per new request. */
    public int entrySequenceNumber(int index) {
        return buffer.getUnsignedByte(
                offset + RtcpFeedback.FCI_OFFSET + ENTRY_LENGTH * index + ENTRY_SEQUENCE_NUMBER_OFFSET);
    }

    /** Appends a FIR with one entry for {@code mediaSenderSsrc}; the media-source field is 0 as RFC 5104 requires. */
    public static void write(ByteBuf out, long senderSsrc, long mediaSenderSsrc, int commandSequenceNumber) {
        int start = RtcpFeedback.start(out, FORMAT, RtcpHeader.PAYLOAD_FEEDBACK, senderSsrc, 0);
        out.writeInt((int) mediaSenderSsrc);
        out.writeByte(commandSequenceNumber);
        out.writeZero(RESERVED_LENGTH);
        RtcpHeader.finish(out, start);
    }
}
