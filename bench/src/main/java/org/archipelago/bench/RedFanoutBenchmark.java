package org.archipelago.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
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

import java.util.concurrent.TimeUnit;

/**
 * One room's audio fan-out of RED of Opus (RFC 2198) as libwebrtc sends it (one redundant 79-byte
 * frame, a 70-byte primary): half the subscribers negotiated RED and get the packet as it came,
 * half did not and get the header and the primary block ({@code RedPayload}, parsed once per
 * packet). One op is the fan-out of one packet. Must allocate 0 B/op (run with {@code -prof gc});
 * the fork is set up as {@link RouterFanoutBenchmark}'s (event loop thread, leak detector off).
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
public class RedFanoutBenchmark {
    private static final int RED = 63;
    private static final int OPUS = 111;
    private static final int REDUNDANT_LENGTH = 79;
    private static final int PRIMARY_LENGTH = 70;
    private static final long PUBLISHER_SSRC = 0x4A1C2E77L;
    private static final long FRAME_NANOS = 20_000_000L;

    @Param({"10", "50"})
    public int subscribers;

    private final RtpPacket packet = new RtpPacket();
    private Router router;
    private Source source;
    private ByteBuf ingress;
    private int sequenceNumber;
    private long timestamp;
    private long nowNanos;
    private long released;

    private final RtpSink releasingSink = buffer -> {
        released += buffer.readableBytes();
        buffer.release();
    };

    @Setup(Level.Trial)
    public void createRoom() {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            throw new IllegalStateException("run with -Djmh.executor=CUSTOM (see RouterFanoutBenchmark), not on "
                    + Thread.currentThread());
        }
        router = new Router(PooledByteBufAllocator.DEFAULT, PeerConnection.RTP_TAILROOM);
        source = router.addSource("teacher/mic", KeyframeDetector.AUDIO, () -> { });
        for (int i = 0; i < subscribers; i++) {
            RtpStreamRewriter rewriter = new RtpStreamRewriter(0x10000000L + i, 48_000, i * 1000, i * 100_000L);
            if (i % 2 == 0) {
                rewriter.mapPayloadType(RED, RED);
            } else {
                rewriter.unwrapRed(RED, OPUS);
            }
            Downstream downstream = router.addDownstream("student-" + i, rewriter, releasingSink);
            router.subscribe(downstream, source, 0);
        }
        ingress = PooledByteBufAllocator.DEFAULT.heapBuffer(256);
        ingress.writeByte(0x90).writeByte(RED).writeShort(0).writeInt(0).writeInt((int) PUBLISHER_SSRC);
        ingress.writeShort(0xBEDE).writeShort(1);            // one-byte extensions, one word:
        ingress.writeByte(0x10).writeByte(0xAA).writeShort(0); // ID 1 L=0: audio level | padding
        ingress.writeByte(0x80 | OPUS).writeMedium((960 << 10) | REDUNDANT_LENGTH).writeByte(OPUS);
        ingress.writeZero(REDUNDANT_LENGTH + PRIMARY_LENGTH);
    }

    @TearDown(Level.Trial)
    public void release() {
        ingress.release();
        for (Downstream downstream : router.downstreams()) {
            if (downstream.forwarded() == 0 || downstream.droppedMalformedRed() > 0) {
                throw new IllegalStateException(downstream + " forwarded nothing or dropped RED as malformed");
            }
        }
    }

    @Benchmark
    public long fanOut() {
        sequenceNumber = (sequenceNumber + 1) & 0xFFFF;
        timestamp = (timestamp + 960) & 0xFFFF_FFFFL;
        nowNanos += FRAME_NANOS;
        packet.wrap(ingress);
        packet.sequenceNumber(sequenceNumber).timestamp(timestamp);
        router.onRtp(source, packet, nowNanos);
        return released;
    }
}
