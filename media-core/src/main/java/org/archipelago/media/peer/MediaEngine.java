package org.archipelago.media.peer;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;
import org.archipelago.media.dtls.DtlsCertificate;
import org.archipelago.media.dtls.DtlsFingerprint;
import org.archipelago.media.dtls.DtlsRole;
import org.archipelago.media.dtls.DtlsTransportConfig;
import org.archipelago.media.ice.IceCredentials;
import org.archipelago.media.ice.IceLiteAgent;
import org.archipelago.media.impair.NetworkImpairment;
import org.archipelago.media.rtx.NackResponder;
import org.archipelago.media.rtx.RetransmissionHistory;
import org.archipelago.media.sdp.Fingerprint;
import org.archipelago.media.sdp.HostCandidate;
import org.archipelago.media.sdp.MediaDescription;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.sdp.SdpAnswer;
import org.archipelago.media.sdp.SdpAnswerBuilder;
import org.archipelago.media.sdp.SdpParseException;
import org.archipelago.media.sdp.SdpParser;
import org.archipelago.media.sdp.SendStream;
import org.archipelago.media.sdp.SessionDescription;
import org.archipelago.media.sdp.Setup;
import org.archipelago.media.stats.NtpClock;
import org.archipelago.media.srtp.SrtpSession;
import org.archipelago.media.transport.DatagramDemux;
import org.archipelago.media.transport.UdpTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The media plane's front door: opens the shared UDP port, holds the DTLS certificate, and turns a
 * remote SDP offer into a {@link PeerConnection} with its answer.
 *
 * <p>This and {@link PeerConnection} are the API the server (signaling, rooms) uses; it knows
 * nothing of HTTP, JSON or rooms.
 */
public final class MediaEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MediaEngine.class);

    /**
     * Pooled heap buffers for everything the media path builds or copies: jitsi-srtp encrypts in
     * place on the backing array (see {@link SrtpSession}).
     */
    private static final ByteBufAllocator HEAP_POOLED = new PooledByteBufAllocator(false);

    /**
     * How the engine runs.
     *
     * @param udp                the media port
     * @param announcedAddresses host candidate addresses written into answers (with the port of {@code udp})
     * @param maxPeers           peers at once; more are refused
     * @param consentTimeout     RFC 7675 consent: a silent peer is closed after this
     * @param connectTimeout     a peer with no authenticated connectivity check after this is closed
     * @param dtls               DTLS timeouts, MTU and SRTP profiles
     * @param certificate        our DTLS identity, or null to make a fresh one
     * @param retransmissionHistorySize packets kept per send stream for answering NACKs (RFC 4585,
     *                           RFC 4588): a power of two up to 32768; see {@link NackResponder.Limits}
     */
    public record Options(UdpTransport.Options udp, List<InetAddress> announcedAddresses, int maxPeers,
                          Duration consentTimeout, Duration connectTimeout, DtlsTransportConfig dtls,
                          DtlsCertificate certificate, int retransmissionHistorySize, Long impairmentSeed) {
        public Options {
            Objects.requireNonNull(udp, "udp");
            announcedAddresses = List.copyOf(announcedAddresses);
            if (announcedAddresses.isEmpty()) {
                throw new IllegalArgumentException("at least one announced address is needed");
            }
            if (maxPeers < 1) {
                throw new IllegalArgumentException("maxPeers must be positive, got " + maxPeers);
            }
            Objects.requireNonNull(consentTimeout, "consentTimeout");
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(dtls, "dtls");
            if (!RetransmissionHistory.isValidCapacity(retransmissionHistorySize)) {
                throw new IllegalArgumentException("retransmissionHistorySize must be a power of two from 1 to "
                        + RetransmissionHistory.MAX_CAPACITY + ", got " + retransmissionHistorySize);
            }
        }

        /** As the canonical constructor, with the default history size ({@link NackResponder.Limits#DEFAULT_HISTORY_SIZE}). */
        public Options(UdpTransport.Options udp, List<InetAddress> announcedAddresses, int maxPeers,
                       Duration consentTimeout, Duration connectTimeout, DtlsTransportConfig dtls,
                       DtlsCertificate certificate) {
            this(udp, announcedAddresses, maxPeers, consentTimeout, connectTimeout, dtls, certificate,
                    NackResponder.Limits.DEFAULT_HISTORY_SIZE, null);
        }

        /**
         * Puts the network impairment stage on the media port (tests, and operators reproducing a
         * school's link): off unless this is called; {@code seed} makes its randomness repeatable.
         * Links are then impaired per remote address through {@link MediaEngine#impairment()}.
         */
        public Options withImpairment(long seed) {
            return new Options(udp, announcedAddresses, maxPeers, consentTimeout, connectTimeout, dtls, certificate,
                    retransmissionHistorySize, seed);
        }

        public Options withRetransmissionHistorySize(int packets) {
            return new Options(udp, announcedAddresses, maxPeers, consentTimeout, connectTimeout, dtls, certificate, packets,
                    impairmentSeed);
        }

        /** Loopback-only defaults on the given port (0: any free port), for tests and development. */
        public static Options loopback(int port) {
            InetAddress loopback = InetAddress.getLoopbackAddress();
            return new Options(new UdpTransport.Options(loopback, port, Runtime.getRuntime().availableProcessors(), 4 << 20, true),
                    List.of(loopback), 1000, Duration.ofSeconds(30), Duration.ofSeconds(30),
                    DtlsTransportConfig.defaults(), null);
        }
    }

    private final Options options;
    private final DtlsCertificate certificate;
    private final DatagramDemux demux;
    private final UdpTransport transport;
    private final NetworkImpairment impairment;
    private final ThreadPoolExecutor dtlsExecutor;
    private final SecureRandom random = new SecureRandom();
    private final NtpClock ntpClock = NtpClock.system();
    private final Map<String, PeerConnection> peers = new ConcurrentHashMap<>();
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final AtomicInteger nextPeerId = new AtomicInteger();

    private MediaEngine(Options options, DtlsCertificate certificate, DatagramDemux demux, UdpTransport transport,
                        NetworkImpairment impairment) {
        this.impairment = impairment;
        this.options = options;
        this.certificate = certificate;
        this.demux = demux;
        this.transport = transport;
        AtomicInteger threadNumber = new AtomicInteger();
        // BouncyCastle's DTLS is blocking: a DTLS transport holds one thread for its life, and the
        // pool never queues (a queued handshake would stall). The peer limit (createPeer) bounds
        // the live transports; the pool itself must not refuse, because a closed peer leaves
        // peers() at once but its DTLS thread only a moment later (after close_notify), and a pool
        // bounded at maxPeers refused a newcomer's DTLS task in that moment, killing a peer it had
        // just answered. So: live peers plus the few transports that are finishing.
        this.dtlsExecutor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "dtls-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Opens the media port and makes (or takes) the DTLS certificate. */
    public static MediaEngine start(Options options) throws InterruptedException {
        // Here, not on an event loop when the first peer connects: see SrtpSession.warmUp.
        SrtpSession.warmUp();
        DtlsCertificate certificate = options.certificate() != null ? options.certificate() : DtlsCertificate.generate();
        DatagramDemux demux = new DatagramDemux(options.maxPeers(), PeerConnection.MAX_BOUND_ADDRESSES);
        NetworkImpairment impairment = options.impairmentSeed() == null ? null : new NetworkImpairment(options.impairmentSeed());
        UdpTransport transport = UdpTransport.start(options.udp(), demux, impairment);
        MediaEngine engine = new MediaEngine(options, certificate, demux, transport, impairment);
        LOG.info("Media engine ready: ICE-lite on udp {} (host candidates {}), DTLS {} {}, consent timeout {} s",
                transport.localAddress(), engine.hostCandidates(), certificate.fingerprintAlgorithm(),
                certificate.fingerprintHex(), options.consentTimeout().toSeconds());
        return engine;
    }

    /**
     * Answers a remote offer with a new peer placed on the next event loop (round-robin).
     *
     * @see #createPeer(String, EventLoop, PeerConnection.Listener)
     */
    public PeerConnection createPeer(String offerSdp, PeerConnection.Listener listener) throws SdpParseException, OfferRejectedException {
        List<EventLoop> loops = transport.eventLoops();
        EventLoop loop = loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
        return createPeer(offerSdp, loop, listener);
    }

    /**
     * Answers a remote offer with a new peer living on {@code loop} (a room's loop). Thread-safe.
     *
     * <p>Every audio and video m-section the server may send on gets a send stream (a random SSRC,
     * and an RTX SSRC for video), announced in the answer; what is sent there is up to the caller.
     *
     * @throws SdpParseException     the offer is not valid SDP; the message names the line
     * @throws OfferRejectedException the offer is valid but cannot be answered; the message says why
     */
    public PeerConnection createPeer(String offerSdp, EventLoop loop, PeerConnection.Listener listener)
            throws SdpParseException, OfferRejectedException {
        if (!transport.eventLoops().contains(loop)) {
            throw new IllegalArgumentException("the loop is not one of this engine's media loops");
        }
        if (peers.size() >= options.maxPeers()) {
            // Early, to spare a full server the parsing; the binding check is where the peer is added.
            throw new OfferRejectedException(OfferRejectedException.Reason.SERVER_FULL, "the server is full (" + options.maxPeers() + " peers)");
        }
        SessionDescription offer = SdpParser.parse(offerSdp);
        if (offer.media().isEmpty()) {
            throw new OfferRejectedException(OfferRejectedException.Reason.UNANSWERABLE, "the offer has no m= section");
        }
        String peerId = "p" + nextPeerId.incrementAndGet();
        IceCredentials localIce = IceCredentials.generate(random);
        SdpAnswerBuilder builder = new SdpAnswerBuilder(offer)
                .iceCredentials(localIce.ufrag(), localIce.password())
                .fingerprint(new Fingerprint(certificate.fingerprintAlgorithm(), certificate.fingerprintHex()))
                .hostCandidates(hostCandidates());
        String cname = "archipelago-" + peerId;
        for (MediaDescription section : offer.media()) {
            if (section.mid() == null || section.isRejected()) {
                continue;
            }
            if (section.kind() == MediaKind.AUDIO) {
                builder.sendStream(section.mid(), SendStream.withoutRtx(randomSsrc(), cname, peerId, peerId + "-" + section.mid()));
            } else if (section.kind() == MediaKind.VIDEO) {
                builder.sendStream(section.mid(), SendStream.withRtx(randomSsrc(), randomSsrc(), cname, peerId, peerId + "-" + section.mid()));
            }
        }
        SdpAnswer answer = builder.build();
        if (answer.negotiatedMedia().isEmpty()) {
            throw new OfferRejectedException(OfferRejectedException.Reason.UNANSWERABLE, "no m-section of the offer can be accepted (rejected: " + answer.rejectedMids() + ")");
        }

        // The transport's parameters come from the bundled section the answer settled on.
        IceCredentials remoteIce;
        try {
            remoteIce = new IceCredentials(answer.remoteIceUfrag(), answer.remoteIcePwd());
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new OfferRejectedException(OfferRejectedException.Reason.UNANSWERABLE, "the offer's ICE credentials (a=ice-ufrag/a=ice-pwd) are missing or invalid");
        }
        DtlsFingerprint remoteFingerprint = null;
        for (Fingerprint fingerprint : answer.remoteFingerprints()) {
            try {
                remoteFingerprint = DtlsFingerprint.of(fingerprint.algorithm(), fingerprint.value());
                break;
            } catch (IllegalArgumentException unsupported) {
                // Try the next one: an offer may list several hash functions (RFC 8122 §5).
            }
        }
        if (remoteFingerprint == null) {
            throw new OfferRejectedException(OfferRejectedException.Reason.UNANSWERABLE, "the offer has no usable a=fingerprint (sha-256 is required)");
        }
        IceLiteAgent ice = new IceLiteAgent(localIce, options.consentTimeout().toNanos());
        ice.setRemoteCredentials(remoteIce);
        DtlsRole role = answer.localSetup() == Setup.ACTIVE ? DtlsRole.CLIENT : DtlsRole.SERVER;
        PeerConnection peer = new PeerConnection(this, peerId, loop, ice, role, remoteFingerprint, answer, listener, System.nanoTime());
        // Check and insert as one step: offers arrive on many signaling threads at once, and the
        // check above alone let them all past it.
        synchronized (peers) {
            if (peers.size() >= options.maxPeers()) {
                throw new OfferRejectedException(OfferRejectedException.Reason.SERVER_FULL, "the server is full (" + options.maxPeers() + " peers)");
            }
            peers.put(peerId, peer);
        }
        loop.execute(peer::start);
        return peer;
    }

    private long randomSsrc() {
        // Non-zero; uniqueness within a peer is what matters (RFC 3550 §8.1 collision rules apply
        // per session), and 2^32 random values make a clash between one peer's streams negligible.
        long ssrc;
        do {
            ssrc = random.nextInt() & 0xFFFFFFFFL;
        } while (ssrc == 0);
        return ssrc;
    }

    /** The host candidates written into every answer: each announced address with the media port. */
    public List<HostCandidate> hostCandidates() {
        List<HostCandidate> candidates = new ArrayList<>();
        int port = transport.localAddress().getPort();
        for (InetAddress address : options.announcedAddresses()) {
            candidates.add(new HostCandidate(address.getHostAddress(), port));
        }
        return candidates;
    }

    void peerClosed(PeerConnection peer) {
        peers.remove(peer.id(), peer);
    }

    public Collection<PeerConnection> peers() {
        return peers.values();
    }

    public Options options() {
        return options;
    }

    public DtlsCertificate certificate() {
        return certificate;
    }

    public UdpTransport transport() {
        return transport;
    }

    /**
     * The impairment stage on the media port, to impair a peer's link per direction
     * ({@code impairment().impair(peer.remoteAddress(), Direction.EGRESS, profile)}), or null when
     * the engine was started without {@link Options#withImpairment}.
     */
    public NetworkImpairment impairment() {
        return impairment;
    }

    public DatagramDemux demux() {
        return demux;
    }

    /** Wall-clock (NTP) time for {@code System.nanoTime()}, shared by every peer's RTCP reports. */
    NtpClock ntpClock() {
        return ntpClock;
    }

    ExecutorService dtlsExecutor() {
        return dtlsExecutor;
    }

    ByteBufAllocator allocator() {
        return HEAP_POOLED;
    }

    /** The pooled heap allocator the media path builds packets with (see {@link #HEAP_POOLED}). */
    public static ByteBufAllocator heapAllocator() {
        return HEAP_POOLED;
    }

    /**
     * Closes every peer, lets their DTLS transports send close_notify (up to a second), then closes
     * the port.
     */
    @Override
    public void close() {
        for (PeerConnection peer : peers.values()) {
            peer.close("server shutting down");
        }
        dtlsExecutor.shutdown();
        try {
            if (!dtlsExecutor.awaitTermination(1, TimeUnit.SECONDS)) {
                LOG.debug("DTLS transports still closing at shutdown");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        transport.close();
        dtlsExecutor.shutdownNow();
        LOG.info("Media engine stopped");
    }
}
