package org.archipelago.media.bwe;

import io.netty.buffer.ByteBuf;
import org.archipelago.media.rtcp.RtcpTransportWideFeedback;
import org.archipelago.media.rtp.RtpSequenceUnwrapper;

/**
 * The receiver side of transport-wide congestion control
 * (<a href="https://datatracker.ietf.org/doc/html/draft-holmer-rmcat-transport-wide-cc-extensions-01">draft-holmer-rmcat-transport-wide-cc-extensions-01</a>):
 * remembers when each packet carrying a transport-wide sequence number arrived, and writes the
 * feedback message that lets the sender's congestion controller (libwebrtc's GoogCC in browsers)
 * estimate the path. Without it a browser publisher never raises its bitrate.
 *
 * <p>A window of {@link #WINDOW} sequence numbers, in preallocated arrays: nothing is allocated per
 * packet (a feedback message costs its buffer and one small chunk encoder). A packet arriving
 * after its sequence number was reported (reordered beyond one feedback interval) or older than
 * the window is counted and left out. Owned by one
 * thread (the peer's loop); time is passed in.
 */
public final class TransportFeedbackGenerator {
    /** Sequence numbers remembered; a feedback message reports at most this many. */
    public static final int WINDOW = 1024;
    private static final int MASK = WINDOW - 1;

    private final RtpSequenceUnwrapper unwrapper = new RtpSequenceUnwrapper();
    private final long[] arrivalMicros = new long[WINDOW];
    private final boolean[] received = new boolean[WINDOW];
    private final int[] reportSequenceNumbers = new int[WINDOW];
    private final long[] reportArrivals = new long[WINDOW];
    private long nextToReport = -1;
    private long highest = -1;
    private int feedbackCount;
    private long packetsRecorded;
    private long packetsTooLate;
    private long feedbackSent;

    /** Records the arrival of the packet with transport-wide sequence number {@code sequenceNumber}. */
    public void onPacket(int sequenceNumber, long nowNanos) {
        long unwrapped = unwrapper.unwrap(sequenceNumber & 0xFFFF);
        if (nextToReport < 0) {
            nextToReport = unwrapped;
        }
        if (unwrapped < nextToReport) {
            packetsTooLate++;
            return;
        }
        if (unwrapped - nextToReport >= WINDOW) {
            // A jump past the window: what falls out of it was not reported and is too old to
            // matter; what stays in it (arrivals still unreported) is kept.
            long oldest = unwrapped - MASK;
            for (long seq = nextToReport, end = Math.min(highest, oldest - 1); seq <= end; seq++) {
                received[(int) (seq & MASK)] = false;
            }
            nextToReport = oldest;
        }
        int slot = (int) (unwrapped & MASK);
        received[slot] = true;
        arrivalMicros[slot] = nowNanos / 1000;
        highest = Math.max(highest, unwrapped);
        packetsRecorded++;
    }

    /** Whether there is something to report. */
    public boolean hasPending() {
        return highest >= nextToReport && nextToReport >= 0;
    }

    /**
     * Appends one feedback message for everything received since the last one, from the first
     * unreported sequence number to the highest received (the ones in between not received).
     *
     * @return whether a message was written (false: nothing pending, or arrivals too far apart for
     *         one message, in which case the pending records are dropped)
     */
    public boolean writeFeedback(ByteBuf out, long senderSsrc, long mediaSsrc) {
        if (!hasPending()) {
            return false;
        }
        int count = 0;
        for (long seq = nextToReport; seq <= highest; seq++) {
            int slot = (int) (seq & MASK);
            if (received[slot]) {
                reportSequenceNumbers[count] = (int) (seq & 0xFFFF);
                reportArrivals[count] = arrivalMicros[slot];
                count++;
                received[slot] = false;
            }
        }
        nextToReport = highest + 1;
        boolean written = RtcpTransportWideFeedback.write(out, senderSsrc, mediaSsrc, feedbackCount & 0xFF,
                reportSequenceNumbers, reportArrivals, count);
        if (written) {
            feedbackCount++;
            feedbackSent++;
        }
        return written;
    }

    /** The longest message {@link #writeFeedback} can append, for sizing its buffer. */
    public static int maxFeedbackLength() {
        // Header 20 bytes; a status chunk (2 bytes) per 7 packets at worst; 2 bytes of delta per
        // packet at worst; padding to 32 bits.
        return 20 + 2 * (WINDOW / 7 + 1) + 2 * WINDOW + 4;
    }

    public long packetsRecorded() {
        return packetsRecorded;
    }

    /** Packets that arrived after their sequence number was reported, or beyond the window. */
    public long packetsTooLate() {
        return packetsTooLate;
    }

    public long feedbackSent() {
        return feedbackSent;
    }
}
