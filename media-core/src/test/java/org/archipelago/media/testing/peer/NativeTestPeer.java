package org.archipelago.media.testing.peer;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import org.archipelago.media.dtls.DtlsCertificate;
import org.archipelago.media.dtls.DtlsFingerprint;
import org.archipelago.media.dtls.DtlsRole;
import org.archipelago.media.dtls.DtlsTransport;
import org.archipelago.media.dtls.DtlsTransportConfig;
import org.archipelago.media.ice.IceCredentials;
import org.archipelago.media.rtcp.RtcpCompoundIterator;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.Direction;
import org.archipelago.media.sdp.Fingerprint;
import org.archipelago.media.sdp.HostCandidate;
import org.archipelago.media.sdp.MediaDescription;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.sdp.SdpOfferBuilder;
import org.archipelago.media.sdp.SdpParseException;
import org.archipelago.media.sdp.SdpParser;
import org.archipelago.media.sdp.SendStream;
import org.archipelago.media.sdp.SessionDescription;
import org.archipelago.media.sdp.Setup;
import org.archipelago.media.srtp.SrtpKeyingMaterial;
import org.archipelago.media.srtp.SrtpSession;
import org.archipelago.media.stun.StunBindingClient;
import org.archipelago.media.transport.PacketKind;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A WebRTC client built from Archipelago's own parts, for tests and (later) the load generator:
 * {@link SdpOfferBuilder} for the offer, {@link StunBindingClient} for ICE (controlling, aggressive
 * nomination), {@link DtlsTransport} for DTLS-SRTP and {@link SrtpSession} for media, all on one
 * UDP socket bound to 127.0.0.1.
 *
 * <pre>{@code
 * try (NativeTestPeer client = NativeTestPeer.open(NativeTestPeer.Options.defaults())) {
 *     PeerConnection server = engine.createPeer(client.offer(), listener);
 *     client.connect(server.answer().toSdp());
 *     client.awaitConnected(Duration.ofSeconds(5));
 *     client.sendRtp(client.audioSsrc(), NativeTestPeer.AUDIO_PAYLOAD_TYPE, 1, 960, payload);
 * }
 * }</pre>
 *
 * <h2>What it does on the wire</h2>
 * <ol>
 *   <li>The offer: audio (Opus, mid 0) and video (VP8 and the other default codecs with RTX, mid 1),
 *       both sendrecv, bundled, a=setup:actpass, its own ICE credentials, certificate fingerprint,
 *       SSRCs and host candidate.</li>
 *   <li>{@link #connect}: reads the answer's ICE credentials, host candidate, fingerprint and setup,
 *       then sends a Binding request with USE-CANDIDATE every {@link Options#checkInterval} until one
 *       is answered (RFC 8445 §7.2.2, retransmission simplified to a fixed timer).</li>
 *   <li>The first accepted response starts DTLS in the role the answer left us (client when the
 *       server answered a=setup:passive, RFC 8842 §5.2).</li>
 *   <li>After that, a Binding request every {@link Options#consentInterval} keeps the server's
 *       consent (RFC 7675) fresh, until {@link #stopConsent()}.</li>
 * </ol>
 *
 * <h2>Threads</h2>
 * Socket, ICE client, SRTP session and the receive path live on one Netty NIO event loop; the
 * blocking DTLS handshake runs on an executor thread, as in the server. Every public method is
 * thread-safe: sends hop onto the loop. What was received is readable from any thread.
 *
 * <p>Every datagram received is classified (RFC 7983) and counted: accepted, or dropped for a
 * {@link DropReason}.
 */
public final class NativeTestPeer implements AutoCloseable {
    /** Opus, as {@link SdpOfferBuilder#DEFAULT_AUDIO_CODECS} numbers it. */
    public static final int AUDIO_PAYLOAD_TYPE = 111;
    /** VP8, as {@link SdpOfferBuilder#DEFAULT_VIDEO_CODECS} numbers it. */
    public static final int VIDEO_PAYLOAD_TYPE = 96;
    /** RTX for VP8 (apt=96). */
    public static final int VIDEO_RTX_PAYLOAD_TYPE = 97;
    public static final String AUDIO_MID = "0";
    public static final String VIDEO_MID = "1";

    /** RFC 8445 §5.1.2.1: type preference 126 (host), local preference 65535, component 1. */
    private static final long HOST_PRIORITY = (126L << 24) | (65535L << 8) | (256 - 1);
    private static final int RTP_HEADER_LENGTH = RtpPacket.FIXED_HEADER_LENGTH;
    /** Room for the largest SRTP tag (16, GCM) and the SRTCP index (4). */
    private static final int SRTP_TAILROOM = 16 + 4;
    /** Heap buffers: SRTP works in place on the backing array. */
    private static final ByteBufAllocator HEAP = new PooledByteBufAllocator(false);

    /** Why a received datagram was not used. */
    public enum DropReason {
        /** Not from the server's candidate address. */
        NOT_FROM_SERVER,
        /** Not a datagram kind of RFC 7983 we know. */
        UNKNOWN_KIND,
        /** A STUN message the binding client did not accept (late, forged, malformed). */
        STUN_NOT_ACCEPTED,
        /** SRTP or SRTCP before the DTLS handshake produced keys. */
        MEDIA_BEFORE_KEYS,
        /** SRTP/SRTCP that failed to unprotect. */
        SRTP_UNPROTECT_REFUSED,
        /** RTP that decrypted but is not valid RTP. */
        RTP_MALFORMED,
        /** RTCP that decrypted but whose compound structure is not valid (the valid part before is recorded). */
        RTCP_MALFORMED
    }

    /** One decrypted RTP packet, as received. */
    public record ReceivedRtp(long ssrc, int payloadType, int sequenceNumber, long timestamp, boolean marker,
                              int payloadLength) {
    }

    /** One packet of a decrypted RTCP compound: its packet type (RFC 3550 §12.1) and count/format field. */
    public record ReceivedRtcp(int packetType, int countOrFormat) {
    }

    /** One decrypted RTCP compound as received, and when ({@link System#nanoTime}). */
    public record ReceivedRtcpCompound(long arrivalNanos, byte[] bytes) {
    }

    /**
     * How the peer runs.
     *
     * @param certificate     the DTLS identity, or null to generate one (sharing one saves time with many peers)
     * @param eventLoopGroup  where the socket's loop comes from, or null for a loop of its own
     * @param dtlsExecutor    runs the blocking DTLS transport, or null for a thread of its own
     * @param checkInterval   between connectivity checks until one is answered
     * @param consentInterval between consent checks once connected (RFC 7675 says ~5 s; tests use less)
     * @param dtls            DTLS timeouts, MTU and SRTP profiles
     */
    public record Options(DtlsCertificate certificate, EventLoopGroup eventLoopGroup, ExecutorService dtlsExecutor,
                          Duration checkInterval, Duration consentInterval, DtlsTransportConfig dtls) {
        public Options {
            Objects.requireNonNull(checkInterval, "checkInterval");
            Objects.requireNonNull(consentInterval, "consentInterval");
            Objects.requireNonNull(dtls, "dtls");
        }

        /** Its own loop, thread and certificate; checks every 50 ms, consent every 500 ms. */
        public static Options defaults() {
            return new Options(null, null, null, Duration.ofMillis(50), Duration.ofMillis(500),
                    DtlsTransportConfig.defaults().withHandshakeTimeout(Duration.ofSeconds(10)));
        }

        public Options withConsentInterval(Duration value) {
            return new Options(certificate, eventLoopGroup, dtlsExecutor, checkInterval, value, dtls);
        }

        public Options withCertificate(DtlsCertificate value) {
            return new Options(value, eventLoopGroup, dtlsExecutor, checkInterval, consentInterval, dtls);
        }
    }

    private final Options options;
    private final EventLoopGroup ownGroup;
    private final ExecutorService ownExecutor;
    private final ExecutorService dtlsExecutor;
    private final Channel channel;
    private final EventLoop loop;
    private final DtlsCertificate certificate;
    private final SecureRandom random = new SecureRandom();
    private final IceCredentials localIce;
    private final long audioSsrc;
    private final long videoSsrc;
    private final long videoRtxSsrc;
    private final String offer;

    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<String> dtlsClosed = new CompletableFuture<>();
    private final ConcurrentLinkedQueue<ReceivedRtp> receivedRtp = new ConcurrentLinkedQueue<>();
    /** The same packets whole (decrypted), for tests that read payloads (RTX's original sequence number). */
    private final ConcurrentLinkedQueue<byte[]> receivedRtpBytes = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ReceivedRtcp> receivedRtcp = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<ReceivedRtcpCompound> receivedRtcpCompounds = new ConcurrentLinkedQueue<>();
    private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
    private final AtomicLong datagramsReceived = new AtomicLong();
    private final AtomicLong checksSent = new AtomicLong();
    private final AtomicLong checksAnswered = new AtomicLong();
    private final AtomicLong rtpSent = new AtomicLong();
    private final AtomicLong rtcpSent = new AtomicLong();
    private final AtomicLong protectRefused = new AtomicLong();

    // Set once by connect(), before the timer that reads them starts.
    private volatile SessionDescription answer;
    private volatile IceCredentials remoteIce;
    private volatile InetSocketAddress serverAddress;
    private volatile DtlsTransport dtls;
    private volatile boolean consentEnabled = true;
    private volatile boolean closed;

    // Owned by the loop.
    private StunBindingClient binding;
    private boolean iceConnected;
    private long lastCheckNanos;
    private SrtpSession srtp;
    private ScheduledFuture<?> timer;
    private final RtpPacket rtpView = new RtpPacket();
    private final RtcpCompoundIterator rtcpView = new RtcpCompoundIterator();

    private NativeTestPeer(Options options) throws InterruptedException {
        this.options = options;
        this.certificate = options.certificate() != null ? options.certificate() : DtlsCertificate.generate();
        this.ownGroup = options.eventLoopGroup() == null
                ? new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("native-peer", true), NioIoHandler.newFactory())
                : null;
        this.ownExecutor = options.dtlsExecutor() == null
                ? Executors.newSingleThreadExecutor(new DefaultThreadFactory("native-peer-dtls", true))
                : null;
        this.dtlsExecutor = ownExecutor != null ? ownExecutor : options.dtlsExecutor();
        EventLoopGroup group = ownGroup != null ? ownGroup : options.eventLoopGroup();
        try {
            this.channel = new Bootstrap()
                    .group(group)
                    .channel(NioDatagramChannel.class)
                    .option(ChannelOption.ALLOCATOR, HEAP)
                    .handler(new Inbound())
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                    .sync()
                    .channel();
        } catch (InterruptedException | RuntimeException e) {
            shutDownOwned();
            throw e;
        }
        this.loop = channel.eventLoop();
        this.localIce = IceCredentials.generate(random);
        this.audioSsrc = randomSsrc();
        long video;
        do {
            video = randomSsrc();
        } while (video == audioSsrc);
        this.videoSsrc = video;
        long rtx;
        do {
            rtx = randomSsrc();
        } while (rtx == audioSsrc || rtx == videoSsrc);
        this.videoRtxSsrc = rtx;
        this.offer = buildOffer();
    }

    /** Opens the socket on 127.0.0.1 and prepares the offer. */
    public static NativeTestPeer open(Options options) throws InterruptedException {
        return new NativeTestPeer(Objects.requireNonNull(options, "options"));
    }

    private String buildOffer() {
        String cname = "native-" + localIce.ufrag();
        InetSocketAddress local = localAddress();
        return new SdpOfferBuilder()
                .iceCredentials(localIce.ufrag(), localIce.password())
                .fingerprint(new Fingerprint(certificate.fingerprintAlgorithm(), certificate.fingerprintHex()))
                .hostCandidates(List.of(new HostCandidate(local.getAddress().getHostAddress(), local.getPort())))
                .addMedia(MediaKind.AUDIO, AUDIO_MID, Direction.SENDRECV,
                        SendStream.withoutRtx(audioSsrc, cname, "native", "native-audio"))
                .addMedia(MediaKind.VIDEO, VIDEO_MID, Direction.SENDRECV,
                        SendStream.withRtx(videoSsrc, videoRtxSsrc, cname, "native", "native-video"))
                .build()
                .toSdp();
    }

    /** The SDP offer to hand to the server. */
    public String offer() {
        return offer;
    }

    /**
     * Applies the server's answer and starts ICE; returns at once (see {@link #awaitConnected}).
     *
     * @throws SdpParseException        the answer is not valid SDP
     * @throws IllegalArgumentException the answer lacks ICE credentials, a fingerprint, a setup role
     *                                  or a UDP host candidate
     */
    public void connect(String answerSdp) throws SdpParseException {
        if (answer != null) {
            throw new IllegalStateException("connect() was already called");
        }
        SessionDescription parsed = SdpParser.parse(answerSdp);
        if (parsed.media().isEmpty()) {
            throw new IllegalArgumentException("the answer has no m= section");
        }
        MediaDescription first = parsed.media().get(0);
        IceCredentials ice = new IceCredentials(parsed.iceUfrag(first), parsed.icePwd(first));
        List<Fingerprint> fingerprints = parsed.fingerprints(first);
        if (fingerprints.isEmpty()) {
            throw new IllegalArgumentException("the answer has no a=fingerprint");
        }
        DtlsFingerprint remoteFingerprint = DtlsFingerprint.of(fingerprints.get(0).algorithm(), fingerprints.get(0).value());
        Setup setup = parsed.setup(first);
        DtlsRole role;
        if (setup == Setup.PASSIVE) {
            role = DtlsRole.CLIENT;
        } else if (setup == Setup.ACTIVE) {
            role = DtlsRole.SERVER;
        } else {
            throw new IllegalArgumentException("the answer's a=setup must be active or passive, got " + setup);
        }
        InetSocketAddress server = hostCandidate(parsed);
        this.remoteIce = ice;
        this.serverAddress = server;
        this.dtls = new DtlsTransport(role, certificate, remoteFingerprint, this::sendDtls, dtlsExecutor,
                new DtlsEvents(), options.dtls());
        this.answer = parsed;
        loop.execute(() -> {
            binding = new StunBindingClient(localIce.ufrag(), ice.ufrag(), ice.password(), random.nextLong(), random);
            long period = options.checkInterval().toNanos();
            timer = loop.scheduleAtFixedRate(this::tick, 0, period, TimeUnit.NANOSECONDS);
        });
    }

    /** The first UDP host candidate of component 1 in any section (a bundled answer has them in the first). */
    private static InetSocketAddress hostCandidate(SessionDescription description) {
        for (MediaDescription section : description.media()) {
            for (String candidate : section.candidates()) {
                // foundation component transport priority address port "typ" type ... (RFC 8839 §5.1)
                String[] fields = candidate.trim().split("\\s+");
                if (fields.length >= 8 && fields[1].equals("1") && fields[2].toLowerCase(Locale.ROOT).equals("udp")
                        && fields[6].equals("typ") && fields[7].equals("host")) {
                    return new InetSocketAddress(fields[4], Integer.parseInt(fields[5]));
                }
            }
        }
        throw new IllegalArgumentException("the answer has no UDP host candidate");
    }

    /** Waits for ICE and DTLS; SRTP keys are in place afterwards. */
    public void awaitConnected(Duration timeout) throws InterruptedException, TimeoutException {
        try {
            connected.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the native peer failed to connect: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            TimeoutException described = new TimeoutException("native peer not connected after " + timeout
                    + ": checks sent " + checksSent + ", answered " + checksAnswered + ", dtls " + dtls);
            described.initCause(e);
            throw described;
        }
    }

    public boolean isConnected() {
        return connected.isDone() && !connected.isCompletedExceptionally();
    }

    /** Completes with the reason when the DTLS transport closes (peer alert, failure, or {@link #close}). */
    public CompletableFuture<String> dtlsClosed() {
        return dtlsClosed;
    }

    // ---- loop: ICE ----------------------------------------------------------------------------

    private void tick() {
        if (closed) {
            return;
        }
        if (!iceConnected) {
            sendCheck();
        } else if (consentEnabled && System.nanoTime() - lastCheckNanos >= options.consentInterval().toNanos()) {
            sendCheck();
        }
    }

    private void sendCheck() {
        ByteBuf request = channel.alloc().buffer(256);
        // Aggressive nomination: every check nominates; the lite server selects the first answered.
        binding.writeRequest(request, HOST_PRIORITY, true);
        lastCheckNanos = System.nanoTime();
        checksSent.incrementAndGet();
        channel.writeAndFlush(new DatagramPacket(request, serverAddress), channel.voidPromise());
    }

    private void onStunResponse(ByteBuf datagram) {
        if (binding == null || binding.readResponse(datagram) != StunBindingClient.ResponseOutcome.ACCEPTED) {
            drops.incrementAndGet(DropReason.STUN_NOT_ACCEPTED.ordinal());
            return;
        }
        checksAnswered.incrementAndGet();
        if (!iceConnected) {
            iceConnected = true;
            dtls.start();
        }
    }

    /** Stops the periodic consent checks, so the server's consent freshness (RFC 7675) lapses. */
    public void stopConsent() {
        consentEnabled = false;
    }

    // ---- DTLS ---------------------------------------------------------------------------------

    /** On the DTLS executor thread; the bytes must be copied before returning. */
    private void sendDtls(byte[] data, int offset, int length) {
        // Also after close(): the close_notify goes out this way.
        ByteBuf datagram = channel.alloc().buffer(length).writeBytes(data, offset, length);
        channel.writeAndFlush(new DatagramPacket(datagram, serverAddress), channel.voidPromise());
    }

    private final class DtlsEvents implements DtlsTransport.Listener {
        @Override
        public void onConnected(SrtpKeyingMaterial keys) {
            loop.execute(() -> {
                if (closed) {
                    return;
                }
                srtp = new SrtpSession(keys);
                connected.complete(null);
            });
        }

        @Override
        public void onClosed(String reason) {
            dtlsClosed.complete(reason);
            connected.completeExceptionally(new IllegalStateException("DTLS closed: " + reason));
        }
    }

    // ---- loop: receive ------------------------------------------------------------------------

    private final class Inbound extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            // SimpleChannelInboundHandler releases the packet after this returns.
            datagramsReceived.incrementAndGet();
            ByteBuf data = packet.content();
            if (!packet.sender().equals(serverAddress)) {
                drops.incrementAndGet(DropReason.NOT_FROM_SERVER.ordinal());
                return;
            }
            int readable = data.readableBytes();
            int first = readable > 0 ? data.getUnsignedByte(data.readerIndex()) : 256;
            int second = readable > 1 ? data.getUnsignedByte(data.readerIndex() + 1) : -1;
            switch (PacketKind.classify(first, second)) {
                case STUN -> onStunResponse(data);
                case DTLS -> dtls.receive(data);
                case RTP -> onRtp(data);
                case RTCP -> onRtcp(data);
                default -> drops.incrementAndGet(DropReason.UNKNOWN_KIND.ordinal());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable after the server closed: not a reason to close the socket.
        }
    }

    private void onRtp(ByteBuf data) {
        if (srtp == null) {
            drops.incrementAndGet(DropReason.MEDIA_BEFORE_KEYS.ordinal());
        } else if (!srtp.unprotectRtp(data)) {
            drops.incrementAndGet(DropReason.SRTP_UNPROTECT_REFUSED.ordinal());
        } else if (!rtpView.wrap(data)) {
            drops.incrementAndGet(DropReason.RTP_MALFORMED.ordinal());
        } else {
            receivedRtp.add(new ReceivedRtp(rtpView.ssrc(), rtpView.payloadType(), rtpView.sequenceNumber(),
                    rtpView.timestamp(), rtpView.marker(), rtpView.payloadLength()));
            receivedRtpBytes.add(ByteBufUtil.getBytes(data));
        }
    }

    private void onRtcp(ByteBuf data) {
        if (srtp == null) {
            drops.incrementAndGet(DropReason.MEDIA_BEFORE_KEYS.ordinal());
            return;
        }
        if (!srtp.unprotectRtcp(data)) {
            drops.incrementAndGet(DropReason.SRTP_UNPROTECT_REFUSED.ordinal());
            return;
        }
        receivedRtcpCompounds.add(new ReceivedRtcpCompound(System.nanoTime(), ByteBufUtil.getBytes(data)));
        rtcpView.wrap(data);
        while (rtcpView.next()) {
            receivedRtcp.add(new ReceivedRtcp(rtcpView.packetType(), rtcpView.count()));
        }
        if (rtcpView.isMalformed()) {
            drops.incrementAndGet(DropReason.RTCP_MALFORMED.ordinal());
        }
    }

    // ---- sending ------------------------------------------------------------------------------

    /**
     * Sends one RTP packet (fixed 12-byte header, no extensions), SRTP-protected.
     *
     * @throws IllegalStateException before {@link #awaitConnected} succeeded
     */
    public void sendRtp(long ssrc, int payloadType, int sequenceNumber, long timestamp, byte[] payload) {
        requireConnected();
        byte[] copy = payload.clone();
        onLoop(() -> {
            ByteBuf packet = writeRtp(ssrc, payloadType, sequenceNumber, timestamp, copy);
            if (!srtp.protectRtp(packet)) {
                protectRefused.incrementAndGet();
                packet.release();
                return;
            }
            rtpSent.incrementAndGet();
            channel.writeAndFlush(new DatagramPacket(packet, serverAddress), channel.voidPromise());
        });
    }

    /**
     * Sends one RTCP (compound) packet, SRTCP-protected; {@code plainRtcp} starts with the first
     * RTCP header, whose sender SSRC keys the SRTCP context.
     */
    public void sendRtcp(byte[] plainRtcp) {
        requireConnected();
        byte[] copy = plainRtcp.clone();
        onLoop(() -> {
            ByteBuf packet = HEAP.heapBuffer(copy.length + SRTP_TAILROOM).writeBytes(copy);
            if (!srtp.protectRtcp(packet)) {
                protectRefused.incrementAndGet();
                packet.release();
                return;
            }
            rtcpSent.incrementAndGet();
            channel.writeAndFlush(new DatagramPacket(packet, serverAddress), channel.voidPromise());
        });
    }

    /**
     * The SRTP packet {@link #sendRtp} would send, without sending it: a seed for mutation tests.
     * Protecting consumes the sequence number (SRTP refuses to protect an index twice).
     */
    public byte[] protectRtp(long ssrc, int payloadType, int sequenceNumber, long timestamp, byte[] payload)
            throws Exception {
        requireConnected();
        byte[] copy = payload.clone();
        return call(() -> {
            ByteBuf packet = writeRtp(ssrc, payloadType, sequenceNumber, timestamp, copy);
            try {
                if (!srtp.protectRtp(packet)) {
                    throw new IllegalStateException("SRTP refused to protect: " + srtp.counters());
                }
                return ByteBufUtil.getBytes(packet);
            } finally {
                packet.release();
            }
        });
    }

    /** Sends raw bytes to the server from this peer's (authenticated) address: for bad-input tests. */
    public void sendDatagram(byte[] datagram) {
        InetSocketAddress server = serverAddress;
        if (server == null) {
            throw new IllegalStateException("connect() first: the server's address comes from its answer");
        }
        ByteBuf buf = channel.alloc().buffer(datagram.length).writeBytes(datagram);
        channel.writeAndFlush(new DatagramPacket(buf, server), channel.voidPromise());
    }

    private static ByteBuf writeRtp(long ssrc, int payloadType, int sequenceNumber, long timestamp, byte[] payload) {
        // RFC 3550 §5.1: V=2, no padding, extension or CSRCs, no marker.
        ByteBuf packet = HEAP.heapBuffer(RTP_HEADER_LENGTH + payload.length + SRTP_TAILROOM);
        packet.writeByte(RtpPacket.VERSION << 6)
                .writeByte(payloadType & 0x7F)
                .writeShort(sequenceNumber)
                .writeInt((int) timestamp)
                .writeInt((int) ssrc)
                .writeBytes(payload);
        return packet;
    }

    private void requireConnected() {
        if (!isConnected()) {
            throw new IllegalStateException("the native peer is not connected");
        }
    }

    private void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    /** Runs {@code task} on the peer's loop and waits for it (5 s at most). */
    public <T> T call(Callable<T> task) throws Exception {
        if (loop.inEventLoop()) {
            return task.call();
        }
        try {
            return loop.submit(task).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    // ---- what it is and what it saw ----------------------------------------------------------

    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** The server's host candidate from the answer, or null before {@link #connect}. */
    public InetSocketAddress serverAddress() {
        return serverAddress;
    }

    public IceCredentials localIceCredentials() {
        return localIce;
    }

    /** The server's ICE credentials from the answer, or null before {@link #connect}. */
    public IceCredentials remoteIceCredentials() {
        return remoteIce;
    }

    public DtlsCertificate certificate() {
        return certificate;
    }

    /** The parsed answer, or null before {@link #connect}. */
    public SessionDescription answer() {
        return answer;
    }

    /** The first SSRC the server announced in the answer's section of {@code kind}, or -1. */
    public long serverSsrc(MediaKind kind) {
        SessionDescription description = answer;
        if (description == null) {
            return -1;
        }
        for (MediaDescription section : description.media()) {
            if (section.kind() == kind && !section.ssrcs().isEmpty()) {
                return section.ssrcs().get(0).ssrc();
            }
        }
        return -1;
    }

    public long audioSsrc() {
        return audioSsrc;
    }

    public long videoSsrc() {
        return videoSsrc;
    }

    public long videoRtxSsrc() {
        return videoRtxSsrc;
    }

    /** Decrypted RTP received so far, in arrival order (a snapshot). */
    public List<ReceivedRtp> receivedRtp() {
        return new ArrayList<>(receivedRtp);
    }

    /** Decrypted RTP received so far, each packet's bytes whole, in arrival order (a snapshot). */
    public List<byte[]> receivedRtpBytes() {
        return new ArrayList<>(receivedRtpBytes);
    }

    /** RTCP packets of decrypted compounds received so far, in arrival order (a snapshot). */
    public List<ReceivedRtcp> receivedRtcp() {
        return new ArrayList<>(receivedRtcp);
    }

    /** Decrypted RTCP compounds received so far, whole, in arrival order (a snapshot). */
    public List<ReceivedRtcpCompound> receivedRtcpCompounds() {
        return new ArrayList<>(receivedRtcpCompounds);
    }

    public long dropCount(DropReason reason) {
        return drops.get(reason.ordinal());
    }

    public long datagramsReceived() {
        return datagramsReceived.get();
    }

    /** Binding requests sent: connectivity checks and consent checks. */
    public long checksSent() {
        return checksSent.get();
    }

    /** Binding success responses accepted (authenticated, our transaction). */
    public long checksAnswered() {
        return checksAnswered.get();
    }

    public long rtpSent() {
        return rtpSent.get();
    }

    public long rtcpSent() {
        return rtcpSent.get();
    }

    /** Packets our own SRTP session refused to protect (a reused sequence number, typically). */
    public long protectRefused() {
        return protectRefused.get();
    }

    /** Closes DTLS (close_notify when connected), the socket, and what the peer owns. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        DtlsTransport transport = dtls;
        if (transport != null) {
            transport.close();
            try {
                // The DTLS thread sends close_notify through the socket: let it finish first.
                dtlsClosed.get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                // Closing anyway.
            }
        }
        loop.submit(() -> {
            if (timer != null) {
                timer.cancel(false);
            }
            if (srtp != null) {
                srtp.close();
            }
        }).syncUninterruptibly();
        channel.close().syncUninterruptibly();
        shutDownOwned();
    }

    private void shutDownOwned() {
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
        if (ownGroup != null) {
            ownGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private long randomSsrc() {
        long ssrc;
        do {
            ssrc = random.nextInt() & 0xFFFF_FFFFL;
        } while (ssrc == 0);
        return ssrc;
    }

    @Override
    public String toString() {
        return "NativeTestPeer{" + localAddress() + " -> " + serverAddress + (isConnected() ? ", connected" : "") + "}";
    }
}
