package org.archipelago.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import org.archipelago.media.peer.PeerConnection;
import org.archipelago.media.router.Downstream;
import org.archipelago.media.router.KeyframeDetector;
import org.archipelago.media.router.Router;
import org.archipelago.media.router.RtpSink;
import org.archipelago.media.router.RtpStreamRewriter;
import org.archipelago.media.router.Source;
import org.archipelago.media.rtp.RtpPacket;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One room's fan-out: a 1200-byte VP8 interframe packet from one source to N subscribed
 * downstreams. Per downstream: rewriter decision, one copy into a pooled heap buffer with SRTP
 * tailroom, in-place rewrite, hand-off to a sink that releases the buffer (standing in for
 * {@code PeerConnection::sendRtp}; SRTP and the socket are measured elsewhere). One op is the whole
 * fan-out of one packet, so ns per egress packet is ns/op ÷ N. Must allocate 0 B/op (run with
 * {@code -prof gc}).
 *
 * <p>Two settings make the fork look like the room's event loop rather than a plain thread:
 * <ul>
 *   <li>The benchmark thread is a Netty {@code FastThreadLocalThread} ({@link EventLoopThreads}
 *       through JMH's custom executor), as an event loop's is. Netty 4.2 recycles pooled buffer
 *       objects and uses the pool's thread cache only on such threads: on a plain thread each
 *       pooled buffer costs 96 B of garbage.</li>
 *   <li>Netty's leak detector is off. At its default level (SIMPLE) it samples one buffer in 128
 *       and allocates a tracking record for it, about 12 B per egress packet on average; that is a
 *       diagnostic's cost, not the router's, and production can turn it off the same way.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
        "-Djmh.executor=CUSTOM",
        "-Djmh.executor.class=org.archipelago.bench.RouterFanoutBenchmark$EventLoopThreads",
        "-Dio.netty.leakDetection.level=disabled"})
public class RouterFanoutBenchmark {
    private static final int PACKET_LENGTH = 1200;
    private static final long PUBLISHER_SSRC = 0x4A1C2E77L;
    private static final long FRAME_NANOS = 33_333_333L;
    private static final int[] KEYFRAME_START = {
            0x90, 0x80, 0x80, 0x01, // VP8 descriptor: X=1 S=1 PID=0 | I=1 | M=1 picture ID 1
            0x50, 0x2D, 0x00,       // frame tag: P = 0 (key frame)
            0x9D, 0x01, 0x2A,       // start code
            0x80, 0x02, 0xE0, 0x01, // 640 x 480
    };

    @Param({"1", "10", "50"})
    public int subscribers;

    private final RtpPacket packet = new RtpPacket();
    private Router router;
    private Source source;
    private ByteBuf ingress;
    private int sequenceNumber;
    private long timestamp;
    private long nowNanos;
    private long released;

    /** Releases what it is given, as a sink at the end of the egress path does. */
    private final RtpSink releasingSink = buffer -> {
        released += buffer.readableBytes();
        buffer.release();
    };

    @Setup(Level.Trial)
    public void createRoom() {
        router = new Router(PooledByteBufAllocator.DEFAULT, PeerConnection.RTP_TAILROOM);
        source = router.addSource("teacher/camera", KeyframeDetector.VP8, () -> { });
        for (int i = 0; i < subscribers; i++) {
            Downstream downstream = router.addDownstream("student-" + i,
                    new RtpStreamRewriter(0x10000000L + i, 90_000, i * 1000, i * 100_000L), releasingSink);
            router.subscribe(downstream, source, 0);
        }
        ingress = PooledByteBufAllocator.DEFAULT.heapBuffer(PACKET_LENGTH);
        ingress.writeByte(0x80).writeByte(96).writeShort(0).writeInt(0).writeInt((int) PUBLISHER_SSRC);
        for (int b : KEYFRAME_START) {
            ingress.writeByte(b);
        }
        ingress.writeZero(PACKET_LENGTH - ingress.writerIndex());
        // The first packet is a key frame: every downstream starts forwarding.
        packet.wrap(ingress);
        router.onRtp(source, packet, nowNanos);
        // From now on the packet is an interframe (P = 1), as almost all packets are.
        ingress.setByte(RtpPacket.FIXED_HEADER_LENGTH + 4, 0x51);
    }

    @TearDown(Level.Trial)
    public void release() {
        ingress.release();
        for (Downstream downstream : router.downstreams()) {
            if (downstream.forwarded() == 0) {
                throw new IllegalStateException(downstream + " forwarded nothing");
            }
        }
    }

    /** JMH's worker threads as Netty event loop threads ({@code FastThreadLocalThread}). */
    public static final class EventLoopThreads extends ThreadPoolExecutor {
        public EventLoopThreads(int maxThreads, String prefix) {
            super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                    new DefaultThreadFactory(prefix, true));
        }
    }

    @Setup(Level.Trial)
    public void checkThread() {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            throw new IllegalStateException("run with -Djmh.executor=CUSTOM (see the class comment), not on "
                    + Thread.currentThread());
        }
    }

    @Benchmark
    public long fanOut() {
        // The next packet of the stream: a frame every 5 packets.
        sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
        if (sequenceNumber % 5 == 0) {
            timestamp = (timestamp + 3000) & 0xFFFF_FFFFL;
            nowNanos += FRAME_NANOS;
        }
        packet.wrap(ingress);
        packet.sequenceNumber(sequenceNumber).timestamp(timestamp);
        router.onRtp(source, packet, nowNanos);
        return released;
    }
}
