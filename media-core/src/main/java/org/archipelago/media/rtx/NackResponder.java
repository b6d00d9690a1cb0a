package org.archipelago.media.rtx;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import org.archipelago.media.rtcp.RtcpNack;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.rtp.RtpSequence;
import org.archipelago.media.sdp.Codec;
import org.archipelago.media.sdp.NegotiatedMedia;
import org.archipelago.media.sdp.RtcpFeedback;
import org.archipelago.media.sdp.SdpAnswer;
import org.archipelago.media.sdp.SendStream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Answers one peer's generic NACKs (RFC 4585 §6.2.1) for the streams we send it: from each send
 * stream's {@link RetransmissionHistory}, with RTX (RFC 4588) when the answer paired the packet's
 * payload type with an RTX one and gave the stream an RTX SSRC, else by sending the packet again.
 *
 * <p>What the history keeps depends on that choice, per payload type:
 * <ul>
 *   <li>RTX: a copy of the plaintext packet, taken before SRTP protects the original in place
 *       ({@link #beforeProtect}); an RTX packet is built from it and protected like any other.</li>
 *   <li>Plain retransmission: the protected packet itself, one more reference taken after SRTP
 *       ({@link #afterProtect}), resent byte for byte. Protecting the same SSRC and index again
 *       would reuse the (key, IV) pair, which the send replay check rightly refuses (RFC 7714 §8.1).</li>
 * </ul>
 * Streams of sections without {@code a=rtcp-fb:* nack} keep no history.
 *
 * <p>Bounded: each history holds {@link Limits#historySize} packets; one NACK packet may ask for
 * {@link Limits#maxPerNack} sequence numbers, the rest are counted and ignored; at most
 * {@link Limits#maxPerSecond} retransmissions leave per second (a token bucket); a packet is
 * retransmitted at most once per 3/4 of an RTT, with a second copy 20–40 ms later when it is asked
 * for again ({@link #sendDeferred}, at most {@link #MAX_DEFERRED} waiting). Everything refused is counted by
 * {@link RetransmissionDropReason}. Nothing allocated per packet but pooled buffers.
 *
 * <p>Owned by the peer's event loop. Time is passed in.
 */
public final class NackResponder implements AutoCloseable {
    /** The RTT assumed for a stream whose peer has not reported one yet. */
    public static final long DEFAULT_RTT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * The bounds of retransmission on one peer.
     *
     * @param historySize  packets kept per send stream: a power of two up to 32768
     * @param maxAgeNanos  a packet sent longer ago is not retransmitted (too late to be played)
     * @param maxPerNack   sequence numbers looked at per NACK packet
     * @param maxPerSecond retransmissions per second, all streams of the peer together
     */
    public record Limits(int historySize, long maxAgeNanos, int maxPerNack, int maxPerSecond) {
        public static final int DEFAULT_HISTORY_SIZE = 512;

        public Limits {
            if (!RetransmissionHistory.isValidCapacity(historySize)) {
                throw new IllegalArgumentException("retransmission history size must be a power of two from 1 to "
                        + RetransmissionHistory.MAX_CAPACITY + ", got " + historySize);
            }
            if (maxAgeNanos <= 0 || maxPerNack < 1 || maxPerSecond < 1) {
                throw new IllegalArgumentException("retransmission limits must be positive: " + maxAgeNanos
                        + " ns, " + maxPerNack + " per NACK, " + maxPerSecond + " per second");
            }
        }

        /**
         * {@code historySize} packets (512 is about 2.5 s of 2 Mbit/s video), 2 s of age, 256 per
         * NACK, 1000 per second.
         *
         * <p>Why 2 s: a receiver keeps asking for a packet while the frame it belongs to is still
         * awaited, and behind a lossy island link (80 ms each way, 10 % loss of NACKs and of
         * retransmissions alike) a packet can need three or four rounds of 250 ms or more. With 1 s,
         * the packets that needed more were refused as too old and Chromium froze for 3 s until it
         * asked for a key frame (ClassroomBehindIslandLinkTest). mediasoup keeps video
         * retransmittable for 2 s as well (4 s in its later versions).
         */
        public static Limits defaults(int historySize) {
            return new Limits(historySize, TimeUnit.SECONDS.toNanos(2), 256, 1000);
        }
    }

    /** Where retransmissions go (the peer's send path). Both take the buffer over. */
    public interface Sink {
        /** An RTX packet in plaintext: protect and send it. */
        void sendRtx(ByteBuf plaintextRtx);

        /** A packet already SRTP-protected: send it as it is. */
        void resendProtected(ByteBuf srtpPacket);
    }

    private static final int NO_RTX = -1;
    private static final int PAYLOAD_TYPES = 128;
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    /** One send stream with NACK: its history and its RTX pairing. */
    private static final class Stream {
        final long ssrc;
        final long rtxSsrc;
        /** RTX payload type per original payload type, {@link #NO_RTX} when retransmitted plainly. */
        final int[] rtxPayloadTypes;
        final RetransmissionHistory history;
        int nextRtxSequenceNumber;

        Stream(long ssrc, long rtxSsrc, int[] rtxPayloadTypes, RetransmissionHistory history, int firstRtxSequenceNumber) {
            this.ssrc = ssrc;
            this.rtxSsrc = rtxSsrc;
            this.rtxPayloadTypes = rtxPayloadTypes;
            this.history = history;
            this.nextRtxSequenceNumber = firstRtxSequenceNumber;
        }

        boolean usesRtx(int payloadType) {
            return rtxPayloadTypes[payloadType & 0x7F] != NO_RTX;
        }
    }

    private final Stream[] streams;
    private final Limits limits;
    private final ByteBufAllocator allocator;
    private final int tailroom;
    private final RtpPacket original = new RtpPacket();
    private final long[] drops = new long[RetransmissionDropReason.COUNT];
    /** Token bucket, in billionths of a retransmission so that refilling needs no division per packet. */
    private final long bucketCapacity;
    private long bucket;
    private long bucketNanos = Long.MIN_VALUE;
    private long nacksReceived;
    private long rtxSent;
    private long plainRetransmissionsSent;
    private long redundantRetransmissions;
    private long secondCopiesDropped;

    /** Second copies waiting (see {@link #sendDeferred}): a ring of stream, sequence number, due time; a power of two. */
    static final int MAX_DEFERRED = 64;
    /** How much later a second copy leaves than the first: a few packets, past a typical burst of loss. */
    static final long SECOND_COPY_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private final Stream[] deferredStreams = new Stream[MAX_DEFERRED];
    private final int[] deferredSequenceNumbers = new int[MAX_DEFERRED];
    private final long[] deferredDueNanos = new long[MAX_DEFERRED];
    private int deferredHead;
    private int deferredCount;

    /**
     * A responder for the send streams of {@code answer} whose section negotiated generic NACK.
     *
     * @param tailroom  bytes an RTX packet needs after it for SRTP
     * @param random    draws each RTX stream's first sequence number (RFC 3550 §5.1: random)
     */
    public static NackResponder forAnswer(SdpAnswer answer, Limits limits, ByteBufAllocator allocator,
                                          int tailroom, SplittableRandom random) {
        List<Stream> streams = new ArrayList<>();
        for (NegotiatedMedia media : answer.negotiatedMedia()) {
            SendStream send = media.sendStream();
            if (send == null || !negotiatesNack(media)) {
                continue;
            }
            int[] rtxPayloadTypes = new int[PAYLOAD_TYPES];
            Arrays.fill(rtxPayloadTypes, NO_RTX);
            if (send.rtxSsrc().isPresent()) {
                for (Codec codec : media.primaryCodecs()) {
                    int rtx = media.rtxPayloadType(codec.payloadType());
                    if (rtx != NegotiatedMedia.NO_PAYLOAD_TYPE) {
                        rtxPayloadTypes[codec.payloadType()] = rtx;
                    }
                }
            }
            streams.add(new Stream(send.ssrc(), send.rtxSsrc().orElse(-1), rtxPayloadTypes,
                    new RetransmissionHistory(limits.historySize(), limits.maxAgeNanos()),
                    random.nextInt(RtpSequence.SEQUENCE_NUMBER_MODULUS)));
        }
        return new NackResponder(streams.toArray(new Stream[0]), limits, allocator, tailroom);
    }

    /**
     * A responder for one stream, for tests: {@code rtxPayloadTypes} maps original payload type
     * to RTX payload type (-1: retransmit plainly).
     */
    public static NackResponder forStream(long ssrc, long rtxSsrc, int[] rtxPayloadTypes, int firstRtxSequenceNumber,
                                          Limits limits, ByteBufAllocator allocator, int tailroom) {
        int[] table = new int[PAYLOAD_TYPES];
        Arrays.fill(table, NO_RTX);
        System.arraycopy(rtxPayloadTypes, 0, table, 0, Math.min(PAYLOAD_TYPES, rtxPayloadTypes.length));
        Stream stream = new Stream(ssrc, rtxSsrc, table,
                new RetransmissionHistory(limits.historySize(), limits.maxAgeNanos()), firstRtxSequenceNumber);
        return new NackResponder(new Stream[] {stream}, limits, allocator, tailroom);
    }

    private static boolean negotiatesNack(NegotiatedMedia media) {
        for (Codec codec : media.primaryCodecs()) {
            if (codec.feedback().contains(RtcpFeedback.NACK)) {
                return true;
            }
        }
        return false;
    }

    private NackResponder(Stream[] streams, Limits limits, ByteBufAllocator allocator, int tailroom) {
        this.streams = streams;
        this.limits = limits;
        this.allocator = allocator;
        this.tailroom = tailroom;
        this.bucketCapacity = limits.maxPerSecond() * NANOS_PER_SECOND;
        this.bucket = bucketCapacity;
    }

    // ---- the send path --------------------------------------------------------------------------

    /**
     * The plaintext {@code packet} is about to be protected and sent at {@code nowNanos}: a stream
     * answered with RTX keeps a copy (pooled). The packet itself stays the caller's.
     */
    public void beforeProtect(RtpPacket packet, long nowNanos) {
        Stream stream = stream(packet.ssrc());
        if (stream == null || !stream.usesRtx(packet.payloadType())) {
            return;
        }
        ByteBuf copy = allocator.heapBuffer(packet.length());
        copy.writeBytes(packet.buffer(), packet.offset(), packet.length());
        stream.history.store(packet.sequenceNumber(), copy, nowNanos);
    }

    /**
     * {@code srtpPacket} (readable bytes: one protected RTP packet) is about to be sent: a stream
     * answered by plain retransmission keeps it, taking a reference of its own ({@code retain}).
     */
    public void afterProtect(ByteBuf srtpPacket, long nowNanos) {
        int start = srtpPacket.readerIndex();
        if (srtpPacket.readableBytes() < RtpPacket.FIXED_HEADER_LENGTH) {
            return;
        }
        // SRTP leaves the header in the clear (RFC 3711 §3.1).
        Stream stream = stream(srtpPacket.getUnsignedInt(start + 8));
        if (stream == null || stream.usesRtx(srtpPacket.getUnsignedByte(start + 1))) {
            return;
        }
        stream.history.store(srtpPacket.getUnsignedShort(start + 2), srtpPacket.retain(), nowNanos);
    }

    // ---- NACKs ----------------------------------------------------------------------------------

    /**
     * Answers one NACK packet (a valid {@code nack} view) at {@code nowNanos}.
     *
     * @param rttNanos the leg's RTT for the NACKed stream, or a negative value when unknown
     *                 ({@link #DEFAULT_RTT_NANOS} is used)
     * @return how many of the sequence numbers asked for are too old to be retransmitted (out of
     *         the history or past the maximum age): loss only a key frame can repair
     */
    public int onNack(RtcpNack nack, long rttNanos, long nowNanos, Sink sink) {
        nacksReceived++;
        Stream stream = stream(nack.mediaSsrc());
        nack.rewind();
        if (stream == null) {
            drops[RetransmissionDropReason.UNKNOWN_SSRC.ordinal()] += nack.skipRemaining();
            return 0;
        }
        long rtt = rttNanos < 0 ? DEFAULT_RTT_NANOS : rttNanos;
        refill(nowNanos);
        int asked = 0;
        int tooOld = 0;
        int sequenceNumber;
        while ((sequenceNumber = nack.nextLostSequenceNumber()) != RtcpNack.NO_MORE) {
            if (++asked > limits.maxPerNack()) {
                // The rest of a storm: counted in one step, not looked at one by one.
                drops[RetransmissionDropReason.OVER_NACK_LIMIT.ordinal()] += 1 + nack.skipRemaining();
                return tooOld;
            }
            if (bucket < NANOS_PER_SECOND) {
                drops[RetransmissionDropReason.OVER_RATE_LIMIT.ordinal()]++;
                continue;
            }
            int slot = stream.history.request(sequenceNumber, nowNanos, rtt);
            if (slot < 0) {
                RetransmissionDropReason reason = slot == RetransmissionHistory.TOO_OLD ? RetransmissionDropReason.TOO_OLD
                        : slot == RetransmissionHistory.WITHIN_RTT ? RetransmissionDropReason.WITHIN_RTT
                        : RetransmissionDropReason.NOT_SENT;
                drops[reason.ordinal()]++;
                if (reason == RetransmissionDropReason.TOO_OLD) {
                    tooOld++;
                }
                continue;
            }
            bucket -= NANOS_PER_SECOND;
            retransmit(stream, stream.history.packet(slot), sink);
            if (stream.history.timesResent(slot) > 1 && bucket >= NANOS_PER_SECOND) {
                // Asked again: our retransmission was lost too. A receiver that does not know the
                // RTT waits about 100 ms before each new request, so one more loss would freeze its
                // video. A second copy, a little later so that the same burst of loss does not take
                // both, makes that unlikely for little traffic: only packets whose repair was lost
                // are sent twice.
                bucket -= NANOS_PER_SECOND;
                deferSecondCopy(stream, sequenceNumber, nowNanos);
            }
        }
        return tooOld;
    }

    private void deferSecondCopy(Stream stream, int sequenceNumber, long nowNanos) {
        if (deferredCount == MAX_DEFERRED) {
            // Full: a storm, when bandwidth is scarcest. Sent at once the copy would share the
            // first one's fate, so it is not sent at all (and its token is given back).
            secondCopiesDropped++;
            bucket += NANOS_PER_SECOND;
            return;
        }
        int tail = (deferredHead + deferredCount) & (MAX_DEFERRED - 1);
        deferredStreams[tail] = stream;
        deferredSequenceNumbers[tail] = sequenceNumber;
        deferredDueNanos[tail] = nowNanos + SECOND_COPY_DELAY_NANOS;
        deferredCount++;
    }

    /**
     * Sends the second copies that are due at {@code nowNanos} (the peer's timer calls this); a
     * packet the history no longer holds is skipped.
     */
    public void sendDeferred(long nowNanos, Sink sink) {
        while (deferredCount > 0 && deferredDueNanos[deferredHead] - nowNanos <= 0) {
            Stream stream = deferredStreams[deferredHead];
            int slot = stream.history.slotOf(deferredSequenceNumbers[deferredHead]);
            deferredStreams[deferredHead] = null;
            deferredHead = (deferredHead + 1) & (MAX_DEFERRED - 1);
            deferredCount--;
            if (slot >= 0) {
                redundantRetransmissions++;
                retransmit(stream, stream.history.packet(slot), sink);
            }
        }
    }

    /** Second copies waiting for {@link #sendDeferred}. */
    public int deferredCount() {
        return deferredCount;
    }

    private void retransmit(Stream stream, ByteBuf stored, Sink sink) {
        int payloadType = stored.getUnsignedByte(stored.readerIndex() + 1) & 0x7F;
        if (!stream.usesRtx(payloadType)) {
            plainRetransmissionsSent++;
            sink.resendProtected(stored.retainedDuplicate());
            return;
        }
        if (!original.wrap(stored)) {
            drops[RetransmissionDropReason.NOT_SENT.ordinal()]++;   // cannot happen: it was valid when stored
            return;
        }
        ByteBuf rtx = allocator.heapBuffer(RtxPacket.length(original) + tailroom);
        RtxPacket.write(original, rtx, stream.rtxPayloadTypes[payloadType], stream.rtxSsrc, stream.nextRtxSequenceNumber);
        stream.nextRtxSequenceNumber = RtpSequence.add(stream.nextRtxSequenceNumber, 1);
        rtxSent++;
        sink.sendRtx(rtx);
    }

    private void refill(long nowNanos) {
        if (bucketNanos == Long.MIN_VALUE) {
            bucketNanos = nowNanos;
            return;
        }
        long elapsed = Math.min(nowNanos - bucketNanos, NANOS_PER_SECOND);
        if (elapsed <= 0) {
            return;
        }
        bucketNanos = nowNanos;
        bucket = Math.min(bucketCapacity, bucket + elapsed * limits.maxPerSecond());
    }

    private Stream stream(long ssrc) {
        for (Stream stream : streams) {
            if (stream.ssrc == ssrc) {
                return stream;
            }
        }
        return null;
    }

    // ---- counters -------------------------------------------------------------------------------

    /** Second copies sent for packets NACKed again after a retransmission (counted in the sent totals too). */
    public long redundantRetransmissions() {
        return redundantRetransmissions;
    }

    /** Second copies not sent because {@link #MAX_DEFERRED} were already waiting. */
    public long secondCopiesDropped() {
        return secondCopiesDropped;
    }

    /** Sequence numbers NACKed but not retransmitted, for {@code reason}. */
    public long dropCount(RetransmissionDropReason reason) {
        return drops[reason.ordinal()];
    }

    public long nacksReceived() {
        return nacksReceived;
    }

    public long rtxSent() {
        return rtxSent;
    }

    public long plainRetransmissionsSent() {
        return plainRetransmissionsSent;
    }

    /** Retransmissions sent, RTX and plain together (second copies included). */
    public long retransmissionsSent() {
        return rtxSent + plainRetransmissionsSent;
    }

    /** Send streams with a history (NACK negotiated). */
    public int streamCount() {
        return streams.length;
    }

    /** The history of send stream {@code ssrc}, or null; for counters and tests. */
    public RetransmissionHistory history(long ssrc) {
        Stream stream = stream(ssrc);
        return stream == null ? null : stream.history;
    }

    /** Releases every packet held. */
    @Override
    public void close() {
        java.util.Arrays.fill(deferredStreams, null);
        deferredCount = 0;
        for (Stream stream : streams) {
            stream.history.close();
        }
    }
}
