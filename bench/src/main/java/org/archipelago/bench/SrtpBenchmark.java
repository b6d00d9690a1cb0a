package org.archipelago.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.archipelago.media.srtp.SrtpKeyingMaterial;
import org.archipelago.media.srtp.SrtpProfile;
import org.archipelago.media.srtp.SrtpSession;
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

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * SRTP protect and unprotect of one RTP packet with a 1200-byte payload, per profile, in place on
 * a pooled heap buffer as on the media path. Run with {@code -prof gc} for bytes per operation.
 *
 * <p>Each operation does the full work:
 * <ul>
 *   <li>{@link #protectRtp}: the sender would refuse an index it has already protected (send-side
 *       replay check), so every operation first writes the next sequence number into the header
 *       and restores the writer index; the payload is whatever the previous operation left there
 *       (ciphertext is as good a plaintext as any, AES cost does not depend on content).</li>
 *   <li>{@link #unprotectRtp}: a receiver accepts each index once. The setup protects a ring of
 *       {@value #RING} packets with increasing sequence numbers; each operation copies the next one
 *       into the work buffer and unprotects it. When the ring is used up the receiver session is
 *       replaced by a new one (fresh replay window, same keys), so a lap never replays. That costs
 *       one session creation and key derivation per {@value #RING} operations, a few ns per
 *       operation amortised (and a few bytes per operation in {@code -prof gc}). The 1.2 kB copy is
 *       measured alone by {@link #ringCopyBaseline}: subtract it to get unprotect itself.</li>
 * </ul>
 * The tear-down checks the counters: if any measured operation had been dropped, the run fails
 * instead of reporting the cost of the drop path.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SrtpBenchmark {
    static final int PAYLOAD_LENGTH = 1200;
    static final int RTP_HEADER_LENGTH = 12;
    static final int RING = 8192;
    private static final int SSRC = 0x0A0B0C0D;

    @Param({"AEAD_AES_128_GCM", "AES128_CM_HMAC_SHA1_80"})
    public SrtpProfile profile;

    private SrtpKeyingMaterial keys;
    private SrtpSession sender;
    private ByteBuf protectBuffer;
    private int sequence;

    private byte[][] ring;
    private int next;
    private SrtpSession receiver;
    private ByteBuf unprotectBuffer;
    private long receiverDrops;

    @Setup(Level.Trial)
    public void setUp() {
        Random random = new Random(42);
        byte[] material = new byte[profile.keyingMaterialLength()];
        random.nextBytes(material);
        keys = SrtpKeyingMaterial.fromExporter(profile, material, true);

        byte[] payload = new byte[PAYLOAD_LENGTH];
        random.nextBytes(payload);
        int capacity = RTP_HEADER_LENGTH + PAYLOAD_LENGTH + profile.authTagLength();

        sender = new SrtpSession(keys);
        protectBuffer = PooledByteBufAllocator.DEFAULT.heapBuffer(capacity, capacity);
        protectBuffer.writeBytes(rtp(0, payload));

        // A separate sender for the ring, so the measured sender's sequence numbers stay its own.
        try (SrtpSession ringSender = new SrtpSession(keys)) {
            ring = new byte[RING][];
            ByteBuf scratch = PooledByteBufAllocator.DEFAULT.heapBuffer(capacity, capacity);
            try {
                for (int i = 0; i < RING; i++) {
                    scratch.clear().writeBytes(rtp(i, payload));
                    if (!ringSender.protectRtp(scratch)) {
                        throw new IllegalStateException("ring protect failed: " + ringSender.counters());
                    }
                    ring[i] = new byte[scratch.readableBytes()];
                    scratch.getBytes(scratch.readerIndex(), ring[i]);
                }
            } finally {
                scratch.release();
            }
        }
        receiver = new SrtpSession(keys.peerView());
        unprotectBuffer = PooledByteBufAllocator.DEFAULT.heapBuffer(capacity, capacity);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long senderDrops = sender.counters().totalDrops();
        receiverDrops += receiver.counters().totalDrops();
        sender.close();
        receiver.close();
        protectBuffer.release();
        unprotectBuffer.release();
        if (senderDrops != 0 || receiverDrops != 0) {
            throw new IllegalStateException("measured operations were dropped: sender " + senderDrops
                    + ", receivers " + receiverDrops);
        }
    }

    @Benchmark
    public boolean protectRtp() {
        ByteBuf packet = protectBuffer;
        packet.setShort(2, sequence++);
        packet.writerIndex(RTP_HEADER_LENGTH + PAYLOAD_LENGTH);
        return sender.protectRtp(packet);
    }

    @Benchmark
    public boolean unprotectRtp() {
        if (next == RING) {
            renewReceiver();
        }
        ByteBuf packet = unprotectBuffer;
        packet.clear().writeBytes(ring[next++]);
        return receiver.unprotectRtp(packet);
    }

    /** The copy {@link #unprotectRtp} makes before unprotecting, alone. */
    @Benchmark
    public ByteBuf ringCopyBaseline() {
        if (next == RING) {
            next = 0;
        }
        return unprotectBuffer.clear().writeBytes(ring[next++]);
    }

    private void renewReceiver() {
        receiverDrops += receiver.counters().totalDrops();
        receiver.close();
        receiver = new SrtpSession(keys.peerView());
        next = 0;
    }

    private static byte[] rtp(int sequence, byte[] payload) {
        byte[] p = new byte[RTP_HEADER_LENGTH + payload.length];
        p[0] = (byte) 0x80; // V=2
        p[1] = 111; // PT
        p[2] = (byte) (sequence >>> 8);
        p[3] = (byte) sequence;
        p[8] = (byte) (SSRC >>> 24);
        p[9] = (byte) (SSRC >>> 16);
        p[10] = (byte) (SSRC >>> 8);
        p[11] = (byte) SSRC;
        System.arraycopy(payload, 0, p, RTP_HEADER_LENGTH, payload.length);
        return p;
    }
}
