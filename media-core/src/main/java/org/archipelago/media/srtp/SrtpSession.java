package org.archipelago.media.srtp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.collection.IntObjectHashMap;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.jitsi.utils.logging2.LoggerImpl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.logging.Level;

/**
 * SRTP and SRTCP (RFC 3711) for one DTLS-SRTP association (RFC 5764): protects what we send with
 * the local master key and salt, unprotects what we receive with the remote ones, in place on
 * Netty buffers. Built on jitsi-srtp; supports {@link SrtpProfile#AEAD_AES_128_GCM} (RFC 7714) and
 * {@link SrtpProfile#AES128_CM_HMAC_SHA1_80} (RFC 3711 §4.1.1, §4.2.1).
 *
 * <h2>Buffer contract</h2>
 * Each method takes a buffer whose readable bytes are exactly one packet: {@code readerIndex} is
 * the first byte of the RTP/RTCP header and {@code writerIndex} is the end of the packet.
 * <ul>
 *   <li><b>Ownership:</b> the caller keeps the buffer. No method here releases, retains or keeps a
 *       reference to it, on success or on failure; whoever passed it in must release it, in
 *       particular on the drop path.</li>
 *   <li><b>Heap buffers:</b> the media path is expected to use pooled <em>heap</em> buffers
 *       ({@link ByteBuf#hasArray()}). The crypto then works in place on the backing array, with no
 *       copy. Any other buffer (direct, composite) is accepted through a copy path: the packet is
 *       copied into a scratch array owned by the session, transformed there and copied back (two
 *       copies, no allocation). Each such packet is counted in {@link SrtpCounters#copiedPackets()}
 *       so a producer that breaks the contract shows up; packets longer than
 *       {@value #MAX_COPIED_PACKET_LENGTH} bytes are dropped on that path
 *       ({@link SrtpDropReason#TOO_LARGE}). Read-only buffers are dropped.</li>
 *   <li><b>Protect</b> grows the packet in place: it needs tailroom between {@code writerIndex} and
 *       {@code capacity()} (the buffer is never reallocated, {@code maxCapacity} is ignored):
 *       {@link #rtpTailroom()} = {@code profile.authTagLength()} bytes for SRTP (RFC 3711 §3.1,
 *       RFC 7714 §8.2) and {@link #rtcpTailroom()} = {@code profile.authTagLength() + 4} for SRTCP
 *       (the E flag and 31-bit SRTCP index, RFC 3711 §3.4, RFC 7714 §9). On success
 *       {@code writerIndex} moves forward by that much.</li>
 *   <li><b>Unprotect</b> shrinks it: on success the readable bytes are the plaintext packet
 *       ({@code writerIndex} moves back by the tag, plus the index for SRTCP).</li>
 *   <li><b>On failure</b> a method returns {@code false}, counts exactly one
 *       {@link SrtpDropReason} and leaves {@code readerIndex} and {@code writerIndex} unchanged;
 *       the bytes are then unspecified only if a cipher failed half-way, so treat a refused packet
 *       as garbage and drop it.</li>
 * </ul>
 *
 * <h2>Streams and replay</h2>
 * A crypto context per SSRC and direction is derived on first use (RFC 3711 §3.2.3: the SSRC is
 * part of the IV, and each stream has its own rollover counter and replay window) and kept in an
 * int-keyed map, so the per-packet lookup neither boxes nor allocates. Each of the four maps
 * (send/receive × RTP/RTCP) holds at most {@code maxStreams} contexts; a new SSRC beyond that is
 * counted as {@link SrtpDropReason#TOO_MANY_STREAMS}. A received packet with an unknown SSRC gets
 * a candidate context that is kept only if the packet authenticates, so forged packets with random
 * SSRCs cannot fill the map and lock out real streams (they still cost one key derivation each,
 * which is why the limit is checked first). Replay protection is the library's 64-packet window
 * (RFC 3711 §3.3.2) for SRTP and SRTCP; on the send side the same check refuses to protect an
 * index twice, which would reuse a GCM nonce (RFC 7714 §8.1).
 *
 * <h2>Threading</h2>
 * Not thread-safe: one event loop (the peer's) owns a session and calls every method. The counters
 * are plain fields for the same reason (see {@link SrtpCounters}).
 *
 * <h2>Cost</h2>
 * No allocation here per packet. Below us, jitsi-srtp plus SunJCE allocate about 1.0 kB per GCM
 * packet and 1.4 kB per AES-CM packet of 1200 bytes (SrtpBenchmark with {@code -prof gc}): a
 * {@code GCMParameterSpec} or {@code IvParameterSpec} per packet in jitsi-srtp's ciphers, and,
 * judging by the size, a copy of the input that the JCE makes when input and output are the
 * same array (in-place). Removing that would need changes in the library. Its context methods are
 * {@code synchronized}: uncontended, as we use them from one thread.
 */
public final class SrtpSession implements AutoCloseable {
    static {
        // Before any context exists: see JceAesSelection for why.
        JceAesSelection.ensureJce();
    }

    private static final Logger LOG = LoggerFactory.getLogger(SrtpSession.class);

    /** Default for {@code maxStreams}: per direction and per RTP/RTCP, generous for one peer in a lesson. */
    public static final int DEFAULT_MAX_STREAMS = 256;

    /** The longest packet the copy path (buffers without an array) handles, tag included. */
    public static final int MAX_COPIED_PACKET_LENGTH = 2048;

    // RTP fixed header, RFC 3550 §5.1:
    //  0                   1                   2                   3
    //  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |V=2|P|X|  CC   |M|     PT      |       sequence number         |
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |                           timestamp                           |
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // |           synchronization source (SSRC) identifier            |
    // +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
    // |            contributing source (CSRC) identifiers             |
    // |                             ....                              |
    // +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
    // followed, if X, by the header extension (RFC 3550 §5.3.1):
    // |      defined by profile       |           length              |
    // length counts 32-bit words after this 4-byte extension header.
    private static final int RTP_FIXED_HEADER_LENGTH = 12;
    private static final int RTP_SSRC_OFFSET = 8;
    private static final int RTP_CSRC_LENGTH = 4;
    private static final int RTP_CC_MASK = 0x0F;
    private static final int RTP_X_MASK = 0x10;
    private static final int RTP_EXTENSION_HEADER_LENGTH = 4;
    private static final int RTP_EXTENSION_LENGTH_OFFSET = 2;

    // RTCP common header and sender SSRC, RFC 3550 §6.4.1; SRTCP encrypts what follows (RFC 3711 §3.4):
    // |V=2|P|   RC    |      PT       |             length            |
    // |                  SSRC of packet sender                        |
    private static final int RTCP_HEADER_LENGTH = 8;
    private static final int RTCP_SSRC_OFFSET = 4;
    /** The E flag and 31-bit SRTCP index trailer, RFC 3711 §3.4. */
    static final int SRTCP_INDEX_LENGTH = 4;
    /** The E (encrypted) flag, top bit of the SRTCP index word, RFC 3711 §3.4. */
    private static final int SRTCP_E_FLAG = 0x80;

    private static final int VERSION_SHIFT = 6;
    private static final int RTP_VERSION = 2;

    private final SrtpProfile profile;
    private final int tagLength;
    private final int maxStreams;
    private final SrtpContextSource contexts;
    private final IntObjectHashMap<SrtpCryptoContext> sendRtp;
    private final IntObjectHashMap<SrtpCryptoContext> receiveRtp;
    private final IntObjectHashMap<SrtcpCryptoContext> sendRtcp;
    private final IntObjectHashMap<SrtcpCryptoContext> receiveRtcp;
    private final SrtpCounters counters = new SrtpCounters();
    private final PacketArrayView view = new PacketArrayView();
    /** Scratch for the copy path; allocated on first use, most sessions never need it. */
    private byte[] scratch;
    /** Whether the packet bound to {@link #view} sits in {@link #scratch}. */
    private boolean copying;
    private boolean derivationFailureLogged;
    private boolean closed;

    /** A session with {@link #DEFAULT_MAX_STREAMS}. */
    public SrtpSession(SrtpKeyingMaterial keys) {
        this(keys, DEFAULT_MAX_STREAMS);
    }

    /**
     * @param keys       the association's master keys and salts, already split by direction
     * @param maxStreams the most SSRCs kept per direction, separately for RTP and RTCP; at least 1
     */
    public SrtpSession(SrtpKeyingMaterial keys, int maxStreams) {
        this(keys.profile(), new MasterKeyContextSource(keys, jitsiLogger()), maxStreams);
    }

    /** For tests that supply contexts keyed with session keys (RFC 7714 vectors). */
    SrtpSession(SrtpProfile profile, SrtpContextSource contexts, int maxStreams) {
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be at least 1, got " + maxStreams);
        }
        this.profile = Objects.requireNonNull(profile, "profile");
        this.contexts = Objects.requireNonNull(contexts, "contexts");
        this.tagLength = profile.authTagLength();
        this.maxStreams = maxStreams;
        int initial = Math.min(maxStreams, 16);
        this.sendRtp = new IntObjectHashMap<>(initial);
        this.receiveRtp = new IntObjectHashMap<>(initial);
        this.sendRtcp = new IntObjectHashMap<>(initial);
        this.receiveRtcp = new IntObjectHashMap<>(initial);
    }

    /**
     * Loads and exercises the crypto once per profile, on the calling thread: the first SRTP use in
     * a JVM loads jitsi-srtp's native probe and initialises the JCE ciphers, which takes seconds on
     * a busy machine. Called at start-up so that this never stalls an event loop when the first peer
     * connects. Throws if a round trip fails: a server that cannot do SRTP should not start.
     */
    public static void warmUp() {
        for (SrtpProfile profile : SrtpProfile.values()) {
            SrtpKeyingMaterial keys = new SrtpKeyingMaterial(profile, new byte[profile.keyLength()], new byte[profile.saltLength()],
                    new byte[profile.keyLength()], new byte[profile.saltLength()]);
            try (SrtpSession sender = new SrtpSession(keys, 1); SrtpSession receiver = new SrtpSession(keys.peerView(), 1)) {
                byte[] rtp = new byte[RTP_FIXED_HEADER_LENGTH + 160 + sender.rtpTailroom()];
                rtp[0] = (byte) (RTP_VERSION << VERSION_SHIFT);
                ByteBuf packet = Unpooled.wrappedBuffer(rtp).writerIndex(RTP_FIXED_HEADER_LENGTH + 160);
                byte[] rtcp = new byte[RTCP_HEADER_LENGTH + sender.rtcpTailroom()];
                rtcp[0] = (byte) (RTP_VERSION << VERSION_SHIFT);
                rtcp[1] = (byte) 201; // an empty RR
                ByteBuf report = Unpooled.wrappedBuffer(rtcp).writerIndex(RTCP_HEADER_LENGTH);
                report.setShort(2, 1);
                if (!sender.protectRtp(packet) || !receiver.unprotectRtp(packet)
                        || !sender.protectRtcp(report) || !receiver.unprotectRtcp(report)) {
                    throw new IllegalStateException("SRTP self-test failed for " + profile + ": " + sender + " / " + receiver);
                }
            }
        }
    }

    /**
     * jitsi-srtp logs some per-packet outcomes itself (at error level for a send-side replay).
     * Every outcome is counted here instead, so its logger is silenced: a log line per packet on
     * the media path is a flood, and its debug suppliers are then never evaluated.
     */
    private static org.jitsi.utils.logging2.Logger jitsiLogger() {
        return new LoggerImpl(SrtpSession.class.getName() + ".jitsi", Level.OFF);
    }

    public SrtpProfile profile() {
        return profile;
    }

    public SrtpCounters counters() {
        return counters;
    }

    /** Bytes of tailroom {@link #protectRtp} needs: the authentication tag. */
    public int rtpTailroom() {
        return tagLength;
    }

    /** Bytes of tailroom {@link #protectRtcp} needs: the authentication tag and the 4-byte E|index. */
    public int rtcpTailroom() {
        return tagLength + SRTCP_INDEX_LENGTH;
    }

    /** Number of SSRCs with a context, per kind and direction (for metrics and tests). */
    public int streamCount(SrtpOperation operation) {
        switch (operation) {
            case PROTECT_RTP:
                return sendRtp.size();
            case PROTECT_RTCP:
                return sendRtcp.size();
            case UNPROTECT_RTP:
                return receiveRtp.size();
            case UNPROTECT_RTCP:
                return receiveRtcp.size();
            default:
                throw new IllegalArgumentException(String.valueOf(operation));
        }
    }

    /**
     * Encrypts and authenticates one RTP packet in place (RFC 3711 §3.3; RFC 7714 §8.2).
     *
     * @param packet readable bytes = one RTP packet, with {@link #rtpTailroom()} bytes of tailroom;
     *               the caller keeps ownership
     * @return true if the readable bytes are now the SRTP packet; false if dropped (counted)
     */
    public boolean protectRtp(ByteBuf packet) {
        final SrtpOperation op = SrtpOperation.PROTECT_RTP;
        int start = packet.readerIndex();
        int length = packet.readableBytes();
        SrtpDropReason refused = admit(packet, start, length, false, true);
        if (refused != null) {
            return drop(op, refused);
        }
        int ssrc = packet.getInt(start + RTP_SSRC_OFFSET);
        SrtpCryptoContext context = sendRtp.get(ssrc);
        if (context == null) {
            if (sendRtp.size() >= maxStreams) {
                return drop(op, SrtpDropReason.TOO_MANY_STREAMS);
            }
            context = deriveRtp(true, ssrc);
            if (context == null) {
                return drop(op, SrtpDropReason.CRYPTO_ERROR);
            }
            // Our own SSRCs are trusted: keep the context even if this packet fails below.
            sendRtp.put(ssrc, context);
            counters.countStreamCreated();
        }
        if (!bind(packet, start, length, rtpTailroom(), op)) {
            return false;
        }
        SrtpErrorStatus status;
        try {
            status = context.transformPacket(view);
        } catch (GeneralSecurityException | RuntimeException e) {
            status = SrtpErrorStatus.FAIL;
        }
        return finish(packet, start, status, op);
    }

    /**
     * Authenticates, replay-checks and decrypts one SRTP packet in place (RFC 3711 §3.3; RFC 7714 §8.3).
     *
     * @param packet readable bytes = one SRTP packet; the caller keeps ownership
     * @return true if the readable bytes are now the RTP packet; false if dropped (counted)
     */
    public boolean unprotectRtp(ByteBuf packet) {
        final SrtpOperation op = SrtpOperation.UNPROTECT_RTP;
        int start = packet.readerIndex();
        int length = packet.readableBytes();
        SrtpDropReason refused = admit(packet, start, length, false, false);
        if (refused != null) {
            return drop(op, refused);
        }
        int ssrc = packet.getInt(start + RTP_SSRC_OFFSET);
        SrtpCryptoContext context = receiveRtp.get(ssrc);
        boolean candidate = false;
        if (context == null) {
            if (receiveRtp.size() >= maxStreams) {
                return drop(op, SrtpDropReason.TOO_MANY_STREAMS);
            }
            context = deriveRtp(false, ssrc);
            if (context == null) {
                return drop(op, SrtpDropReason.CRYPTO_ERROR);
            }
            candidate = true;
        }
        if (!bind(packet, start, length, 0, op)) {
            return false;
        }
        SrtpErrorStatus status;
        try {
            status = context.reverseTransformPacket(view, false);
        } catch (GeneralSecurityException | RuntimeException e) {
            status = SrtpErrorStatus.FAIL;
        }
        if (candidate && status == SrtpErrorStatus.OK) {
            // Only an authenticated packet earns its SSRC a place in the map.
            receiveRtp.put(ssrc, context);
            counters.countStreamCreated();
        }
        return finish(packet, start, status, op);
    }

    /**
     * Encrypts and authenticates one compound RTCP packet in place, appending the E flag, the
     * SRTCP index and the tag (RFC 3711 §3.4; RFC 7714 §9).
     *
     * @param packet readable bytes = one (compound) RTCP packet, with {@link #rtcpTailroom()} bytes
     *               of tailroom; the caller keeps ownership
     * @return true if the readable bytes are now the SRTCP packet; false if dropped (counted)
     */
    public boolean protectRtcp(ByteBuf packet) {
        final SrtpOperation op = SrtpOperation.PROTECT_RTCP;
        int start = packet.readerIndex();
        int length = packet.readableBytes();
        SrtpDropReason refused = admit(packet, start, length, true, true);
        if (refused != null) {
            return drop(op, refused);
        }
        int ssrc = packet.getInt(start + RTCP_SSRC_OFFSET);
        SrtcpCryptoContext context = sendRtcp.get(ssrc);
        if (context == null) {
            if (sendRtcp.size() >= maxStreams) {
                return drop(op, SrtpDropReason.TOO_MANY_STREAMS);
            }
            context = deriveRtcp(true, ssrc);
            if (context == null) {
                return drop(op, SrtpDropReason.CRYPTO_ERROR);
            }
            sendRtcp.put(ssrc, context);
            counters.countStreamCreated();
        }
        if (!bind(packet, start, length, rtcpTailroom(), op)) {
            return false;
        }
        SrtpErrorStatus status;
        try {
            status = context.transformPacket(view);
        } catch (GeneralSecurityException | RuntimeException e) {
            status = SrtpErrorStatus.FAIL;
        }
        return finish(packet, start, status, op);
    }

    /**
     * Authenticates, replay-checks (by SRTCP index) and decrypts one SRTCP packet in place
     * (RFC 3711 §3.4; RFC 7714 §9, §10).
     *
     * @param packet readable bytes = one SRTCP packet; the caller keeps ownership
     * @return true if the readable bytes are now the RTCP packet; false if dropped (counted)
     */
    public boolean unprotectRtcp(ByteBuf packet) {
        final SrtpOperation op = SrtpOperation.UNPROTECT_RTCP;
        int start = packet.readerIndex();
        int length = packet.readableBytes();
        SrtpDropReason refused = admit(packet, start, length, true, false);
        if (refused != null) {
            return drop(op, refused);
        }
        if (profile == SrtpProfile.AEAD_AES_128_GCM
                && (packet.getByte(start + length - SRTCP_INDEX_LENGTH) & SRTCP_E_FLAG) == 0) {
            // Authenticated but unencrypted AEAD SRTCP (E=0, RFC 7714 §9, vector §17.3): jitsi-srtp
            // 1.1-23 takes the wrong bytes as AAD and tag on this path (and ignores the packet's
            // array offset), so it could never verify. Refuse it by name instead of as a forgery.
            // WebRTC endpoints always encrypt SRTCP.
            return drop(op, SrtpDropReason.UNSUPPORTED);
        }
        int ssrc = packet.getInt(start + RTCP_SSRC_OFFSET);
        SrtcpCryptoContext context = receiveRtcp.get(ssrc);
        boolean candidate = false;
        if (context == null) {
            if (receiveRtcp.size() >= maxStreams) {
                return drop(op, SrtpDropReason.TOO_MANY_STREAMS);
            }
            context = deriveRtcp(false, ssrc);
            if (context == null) {
                return drop(op, SrtpDropReason.CRYPTO_ERROR);
            }
            candidate = true;
        }
        if (!bind(packet, start, length, 0, op)) {
            return false;
        }
        SrtpErrorStatus status;
        try {
            status = context.reverseTransformPacket(view);
        } catch (GeneralSecurityException | RuntimeException e) {
            status = SrtpErrorStatus.FAIL;
        }
        if (candidate && status == SrtpErrorStatus.OK) {
            receiveRtcp.put(ssrc, context);
            counters.countStreamCreated();
        }
        return finish(packet, start, status, op);
    }

    /**
     * Forgets every stream and the master keys; later calls drop with {@link SrtpDropReason#CLOSED}.
     * Session keys inside already-derived contexts cannot be wiped (jitsi-srtp offers no way) and
     * go with the garbage collector.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sendRtp.clear();
        receiveRtp.clear();
        sendRtcp.clear();
        receiveRtcp.clear();
        contexts.close();
        view.clear();
        scratch = null;
    }

    /**
     * The checks every operation makes before it looks up a context, in this order: closed, header
     * (RFC 3550 §5.1 / §6.4.1) plus the SRTP overhead an unprotect expects at the end, read-only,
     * and the tailroom a protect appends the overhead into. The overhead is the tag for SRTP and the
     * E|index word plus the tag for SRTCP (RFC 3711 §3.1, §3.4).
     *
     * @return the reason to drop the packet, or null if it may go on
     */
    private SrtpDropReason admit(ByteBuf packet, int start, int length, boolean rtcp, boolean protect) {
        if (closed) {
            return SrtpDropReason.CLOSED;
        }
        int overhead = rtcp ? rtcpTailroom() : rtpTailroom();
        int trailer = protect ? 0 : overhead;
        SrtpDropReason invalid = rtcp
                ? checkRtcp(packet, start, length, trailer)
                : checkRtp(packet, start, length, trailer);
        if (invalid != null) {
            return invalid;
        }
        if (packet.isReadOnly()) {
            return SrtpDropReason.READ_ONLY_BUFFER;
        }
        if (protect && packet.capacity() - packet.writerIndex() < overhead) {
            return SrtpDropReason.NO_TAILROOM;
        }
        return null;
    }

    /**
     * Checks that the readable bytes hold an RTP header (fixed part, CSRCs, extension) plus
     * {@code trailer} bytes, so the library never reads past the packet. RFC 3550 §5.1, §5.3.1.
     */
    private static SrtpDropReason checkRtp(ByteBuf packet, int start, int length, int trailer) {
        if (length < RTP_FIXED_HEADER_LENGTH + trailer) {
            return SrtpDropReason.TOO_SHORT;
        }
        int first = packet.getUnsignedByte(start);
        if (first >>> VERSION_SHIFT != RTP_VERSION) {
            return SrtpDropReason.BAD_VERSION;
        }
        int header = RTP_FIXED_HEADER_LENGTH + (first & RTP_CC_MASK) * RTP_CSRC_LENGTH;
        if ((first & RTP_X_MASK) != 0) {
            if (length < header + RTP_EXTENSION_HEADER_LENGTH + trailer) {
                return SrtpDropReason.TOO_SHORT;
            }
            int words = packet.getUnsignedShort(start + header + RTP_EXTENSION_LENGTH_OFFSET);
            header += RTP_EXTENSION_HEADER_LENGTH + words * 4;
        }
        return length < header + trailer ? SrtpDropReason.TOO_SHORT : null;
    }

    /** Checks for the RTCP header and sender SSRC plus {@code trailer} bytes. RFC 3550 §6.4.1. */
    private static SrtpDropReason checkRtcp(ByteBuf packet, int start, int length, int trailer) {
        if (length < RTCP_HEADER_LENGTH + trailer) {
            return SrtpDropReason.TOO_SHORT;
        }
        if (packet.getUnsignedByte(start) >>> VERSION_SHIFT != RTP_VERSION) {
            return SrtpDropReason.BAD_VERSION;
        }
        return null;
    }

    /**
     * Points {@link #view} at the packet: at the backing array when there is one (no copy), else at
     * the scratch array after copying the packet in. {@code growth} is the tailroom the operation
     * may fill, already checked against the buffer's capacity.
     */
    private boolean bind(ByteBuf packet, int start, int length, int growth, SrtpOperation op) {
        if (packet.hasArray()) {
            int base = packet.arrayOffset();
            // The limit is this buffer's capacity, not the array's end: pooled buffers share arrays.
            view.wrap(packet.array(), base + start, length, base + packet.capacity());
            copying = false;
            return true;
        }
        if (length + growth > MAX_COPIED_PACKET_LENGTH) {
            return drop(op, SrtpDropReason.TOO_LARGE);
        }
        if (scratch == null) {
            scratch = new byte[MAX_COPIED_PACKET_LENGTH];
        }
        packet.getBytes(start, scratch, 0, length);
        view.wrap(scratch, 0, length, length + growth);
        copying = true;
        counters.countCopied();
        return true;
    }

    /** Applies the library's verdict: commits the new length (and bytes, on the copy path) or counts the drop. */
    private boolean finish(ByteBuf packet, int start, SrtpErrorStatus status, SrtpOperation op) {
        if (status == SrtpErrorStatus.OK && view.overflowed()) {
            status = SrtpErrorStatus.FAIL;
        }
        if (status != SrtpErrorStatus.OK) {
            view.clear();
            return drop(op, reasonFor(status));
        }
        int newLength = view.getLength();
        if (copying) {
            packet.setBytes(start, scratch, 0, newLength);
        }
        packet.writerIndex(start + newLength);
        view.clear();
        counters.countAccepted(op);
        return true;
    }

    private static SrtpDropReason reasonFor(SrtpErrorStatus status) {
        switch (status) {
            case AUTH_FAIL:
                return SrtpDropReason.AUTH_FAILED;
            case REPLAY_FAIL:
                return SrtpDropReason.REPLAYED;
            case REPLAY_OLD:
                return SrtpDropReason.TOO_OLD;
            case INVALID_PACKET:
                return SrtpDropReason.TOO_SHORT;
            default:
                return SrtpDropReason.CRYPTO_ERROR;
        }
    }

    private boolean drop(SrtpOperation op, SrtpDropReason reason) {
        counters.countDrop(op, reason);
        return false;
    }

    private SrtpCryptoContext deriveRtp(boolean sender, int ssrc) {
        try {
            return contexts.rtp(sender, ssrc);
        } catch (GeneralSecurityException | RuntimeException e) {
            logDerivationFailure(e);
            return null;
        }
    }

    private SrtcpCryptoContext deriveRtcp(boolean sender, int ssrc) {
        try {
            return contexts.rtcp(sender, ssrc);
        } catch (GeneralSecurityException | RuntimeException e) {
            logDerivationFailure(e);
            return null;
        }
    }

    /** Derivation fails for configuration reasons (a missing JCE algorithm), not for input: log it once. */
    private void logDerivationFailure(Exception e) {
        if (!derivationFailureLogged) {
            derivationFailureLogged = true;
            LOG.warn("SRTP context derivation failed for {}; packets of new streams are dropped", profile, e);
        }
    }

    @Override
    public String toString() {
        return "SrtpSession{" + profile + ", " + counters + "}";
    }
}
