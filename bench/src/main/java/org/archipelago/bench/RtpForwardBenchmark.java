package org.archipelago.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.archipelago.media.rtp.AbsoluteSendTime;
import org.archipelago.media.rtp.RtpPacket;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The per-egress-packet RTP work of the forwarder: view a 1200-byte video packet carrying
 * abs-send-time and transport-wide-cc one-byte extensions, then rewrite SSRC, sequence number,
 * timestamp, transport-wide sequence number and abs-send-time in place. Must allocate 0 B/op
 * (run with {@code -prof gc}).
 *
 * <p>{@code rewriteInPlace} is the view and rewrite alone; {@code copyThenRewrite} adds the copy
 * into the subscriber's egress buffer that precedes it in the router.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RtpForwardBenchmark {
    private static final int PACKET_LENGTH = 1200;
    private static final int ABS_SEND_TIME_ID = 2;
    private static final int TRANSPORT_WIDE_CC_ID = 3;
    private static final int[] HEADER = {
            0x90, 0xE0, 0x1A, 0x2B, // V=2 X=1 | M=1 PT=96 | sequence number
            0x5E, 0x8F, 0x3C, 0x10, // timestamp
            0x4A, 0x1C, 0x2E, 0x77, // SSRC
            0xBE, 0xDE, 0x00, 0x02, // one-byte extensions, 2 words
            0x22, 0x5A, 0x3B, 0x4C, // abs-send-time
            0x31, 0x01, 0x7F, 0x00, // transport-wide sequence number | padding
    };

    private final RtpPacket packet = new RtpPacket();
    private ByteBuf ingress;
    private ByteBuf egress;
    private int sequenceNumber;
    private int transportSequenceNumber;
    private long timestamp;
    private long nowNanos;

    @Setup(Level.Trial)
    public void allocate() {
        ingress = PooledByteBufAllocator.DEFAULT.directBuffer(PACKET_LENGTH);
        for (int b : HEADER) {
            ingress.writeByte(b);
        }
        ingress.writeZero(PACKET_LENGTH - HEADER.length);
        egress = PooledByteBufAllocator.DEFAULT.directBuffer(PACKET_LENGTH);
        egress.writeBytes(ingress, 0, PACKET_LENGTH);
    }

    @TearDown(Level.Trial)
    public void release() {
        ingress.release();
        egress.release();
    }

    @Benchmark
    public long rewriteInPlace() {
        return rewrite(egress);
    }

    @Benchmark
    public long copyThenRewrite() {
        egress.setBytes(0, ingress, 0, PACKET_LENGTH);
        return rewrite(egress);
    }

    private long rewrite(ByteBuf buffer) {
        if (!packet.wrap(buffer, 0, PACKET_LENGTH)) {
            return -1;
        }
        sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
        timestamp = (timestamp + 3000) & 0xFFFF_FFFFL;
        transportSequenceNumber = (transportSequenceNumber + 1) & 0xFFFF;
        nowNanos += 833_333;
        packet.ssrc(0x11223344L).sequenceNumber(sequenceNumber).timestamp(timestamp);
        packet.extensionValue(TRANSPORT_WIDE_CC_ID, transportSequenceNumber);
        packet.extensionValue(ABS_SEND_TIME_ID, AbsoluteSendTime.fromNanos(nowNanos));
        return packet.payloadLength();
    }
}
