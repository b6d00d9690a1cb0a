package org.archipelago.media.rtx;

import io.netty.buffer.ByteBuf;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.sdp.SsrcGroup;

import java.util.Arrays;
import java.util.List;

/**
 * Turns the retransmissions one peer sends in RTX (RFC 4588) back into the packets they repair,
 * in place, so forwarding sees the original packet.
 *
 * <p>An RTX packet (RFC 4588 §4) is the original with its own SSRC, sequence number and payload
 * type, and the original sequence number (OSN) in front of the original payload:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                         RTP Header                            |  RTX SSRC, RTX seq, RTX PT;
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  timestamp, marker, CSRCs,
 * |            OSN                |                               |  extensions as the original's
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
 * |                  Original RTP Packet Payload                  |
 * |                                                               |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Restoring: payload type from the RTX payload type's {@code apt} (RFC 4588 §8.6), SSRC from the
 * RTX SSRC's pair, sequence number from the OSN, and the payload moved 2 bytes toward the header.
 * The RTX packet's padding is its own (RFC 4588 §4 lets the sender pad it independently), so it
 * is dropped: the restored packet has no padding. Header extensions stay as the RTX packet carries
 * them; the forwarder rewrites the ones it owns per egress packet.
 *
 * <p>The RTX SSRC is paired with its media SSRC by the offer's {@code a=ssrc-group:FID} (RFC 5576
 * §4.3, RFC 4588 §8.7), or learned: an unpaired RTX SSRC in a section that receives exactly one
 * media stream and no simulcast is that stream's. Pairs are bounded by {@link #MAX_PAIRS}.
 *
 * <p>Bad input is counted ({@link DropReason}), never thrown; the caller drops the packet.
 * Nothing is allocated per packet. Owned by the peer's event loop.
 *
 * @see <a href="https://www.rfc-editor.org/rfc/rfc4588#section-4">RFC 4588 §4</a>
 */
public final class RtxDepacketizer {
    /** RTX SSRCs one peer may pair: as many as the incoming streams it may have. */
    public static final int MAX_PAIRS = 64;
    /** Length of the OSN field in front of the original payload. */
    public static final int OSN_LENGTH = 2;
    public static final long NO_SSRC = NegotiatedMedia.NO_SSRC;
    /** The P bit of the first header byte (RFC 3550 §5.1). */
    private static final int PADDING_BIT = 0x20;
    /** {@link #soleMediaSsrc} of a section that receives several media streams. */
    private static final long SEVERAL = -2;

    /** Why an RTX packet was not restored or not forwarded. */
    public enum DropReason {
        /** An RTX payload type without a negotiated {@code apt}, or whose apt is not negotiated. */
        UNKNOWN_PAYLOAD_TYPE,
        /** An RTX SSRC paired with no media SSRC (no FID group, nothing to learn it from). */
        UNKNOWN_SSRC,
        /** No OSN: padding only, what senders send on the RTX SSRC to probe bandwidth. */
        PADDING_ONLY,
        /** The original was not missing (already received, or too old or new to be one we lost). */
        NOT_NEEDED;

        public static final int COUNT = values().length;
    }

    private final List<NegotiatedMedia> sections;
    private final long[] rtxSsrcs = new long[MAX_PAIRS];
    private final long[] mediaSsrcs = new long[MAX_PAIRS];
    private int pairCount;
    /** Per section: the media SSRC it receives when exactly one, {@link #NO_SSRC} when none, {@link #SEVERAL}. */
    private final long[] soleMediaSsrc;

    private final long[] drops = new long[DropReason.COUNT];
    private long restored;
    private long pairsLearned;
    private long pairsRefused;

    /** Pairs the FID groups of every section's offer. */
    public RtxDepacketizer(List<NegotiatedMedia> sections) {
        this.sections = List.copyOf(sections);
        this.soleMediaSsrc = new long[this.sections.size()];
        Arrays.fill(soleMediaSsrc, NO_SSRC);
        for (NegotiatedMedia section : this.sections) {
            for (SsrcGroup group : section.remoteSsrcGroups()) {
                if (SsrcGroup.FID.equals(group.semantics()) && group.ssrcs().size() == 2) {
                    pair(group.ssrcs().get(1), group.ssrcs().get(0));
                }
            }
        }
    }

    /** The media SSRC that {@code rtxSsrc} retransmits, or {@link #NO_SSRC}. */
    public long mediaSsrc(long rtxSsrc) {
        for (int i = 0; i < pairCount; i++) {
            if (rtxSsrcs[i] == rtxSsrc) {
                return mediaSsrcs[i];
            }
        }
        return NO_SSRC;
    }

    private boolean pair(long rtxSsrc, long mediaSsrc) {
        if (mediaSsrc(rtxSsrc) != NO_SSRC) {
            return true;
        }
        if (pairCount == MAX_PAIRS) {
            pairsRefused++;
            return false;
        }
        rtxSsrcs[pairCount] = rtxSsrc;
        mediaSsrcs[pairCount] = mediaSsrc;
        pairCount++;
        return true;
    }

    /**
     * A media stream (not RTX) of {@code section} started: remembered so that an unpaired RTX SSRC
     * of a section with one stream can be paired with it. Once per stream, not per packet.
     */
    public void onMediaStream(NegotiatedMedia section, long mediaSsrc) {
        int index = indexOf(section);
        if (index < 0) {
            return;
        }
        long current = soleMediaSsrc[index];
        soleMediaSsrc[index] = current == NO_SSRC || current == mediaSsrc ? mediaSsrc : SEVERAL;
    }

    private int indexOf(NegotiatedMedia section) {
        for (int i = 0; i < sections.size(); i++) {
            if (sections.get(i) == section) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Restores the RTX packet {@code packet} of {@code section} in place into its original and
     * re-wraps the view over it (shorter by {@link #OSN_LENGTH} and the padding).
     *
     * @return true when restored; false, the reason counted and the packet untouched, otherwise
     */
    public boolean restore(RtpPacket packet, NegotiatedMedia section) {
        int payloadType = section.associatedPayloadType(packet.payloadType());
        if (payloadType == NegotiatedMedia.NO_PAYLOAD_TYPE || section.codec(payloadType) == null
                || section.codec(payloadType).isRtx()) {
            drops[DropReason.UNKNOWN_PAYLOAD_TYPE.ordinal()]++;
            return false;
        }
        if (packet.payloadLength() < OSN_LENGTH) {
            drops[DropReason.PADDING_ONLY.ordinal()]++;
            return false;
        }
        long mediaSsrc = mediaSsrc(packet.ssrc());
        if (mediaSsrc == NO_SSRC) {
            mediaSsrc = learn(packet.ssrc(), section);
            if (mediaSsrc == NO_SSRC) {
                drops[DropReason.UNKNOWN_SSRC.ordinal()]++;
                return false;
            }
        }
        restoreInPlace(packet, payloadType, mediaSsrc);
        restored++;
        return true;
    }

    private long learn(long rtxSsrc, NegotiatedMedia section) {
        int index = indexOf(section);
        if (index < 0 || !section.remoteRids().isEmpty() || soleMediaSsrc[index] < 0) {
            return NO_SSRC;
        }
        long mediaSsrc = soleMediaSsrc[index];
        if (!pair(rtxSsrc, mediaSsrc)) {
            return NO_SSRC;
        }
        pairsLearned++;
        return mediaSsrc;
    }

    /**
     * The in-place rewrite of RFC 4588 §4 undone: OSN into the sequence number, {@code payloadType}
     * and {@code mediaSsrc} into the header, the payload moved over the OSN, padding removed.
     * {@code packet} must be valid with at least {@link #OSN_LENGTH} payload bytes.
     */
    public static void restoreInPlace(RtpPacket packet, int payloadType, long mediaSsrc) {
        ByteBuf buffer = packet.buffer();
        int offset = packet.offset();
        int payloadOffset = packet.payloadOffset();
        int originalSequenceNumber = buffer.getUnsignedShort(payloadOffset);
        int originalPayloadLength = packet.payloadLength() - OSN_LENGTH;
        buffer.setBytes(payloadOffset, buffer, payloadOffset + OSN_LENGTH, originalPayloadLength);
        int flags = buffer.getUnsignedByte(offset);
        buffer.setByte(offset, flags & ~PADDING_BIT);
        packet.sequenceNumber(originalSequenceNumber).payloadType(payloadType).ssrc(mediaSsrc);
        int length = packet.headerLength() + originalPayloadLength;
        if (buffer.writerIndex() == offset + packet.length()) {
            buffer.writerIndex(offset + length);
        }
        packet.wrap(buffer, offset, length);
    }

    /** Counts a restored packet the caller dropped because its original was not missing. */
    public void notNeeded() {
        drops[DropReason.NOT_NEEDED.ordinal()]++;
    }

    public long dropCount(DropReason reason) {
        return drops[reason.ordinal()];
    }

    /** RTX packets restored into their originals (before the not-needed check). */
    public long restored() {
        return restored;
    }

    /** RTX SSRCs paired without a FID group. */
    public long pairsLearned() {
        return pairsLearned;
    }

    /** RTX SSRCs not paired because {@link #MAX_PAIRS} were. */
    public long pairsRefused() {
        return pairsRefused;
    }
}
