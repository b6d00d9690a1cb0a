package org.archipelago.media.dtls;

import io.netty.buffer.ByteBuf;
import org.archipelago.media.srtp.SrtpKeyingMaterial;
import org.archipelago.media.srtp.SrtpProfile;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsTimeoutException;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The DTLS 1.2 association with one peer, used only to agree SRTP keys (DTLS-SRTP, RFC 5764).
 *
 * <p><b>Threads.</b> Datagrams arrive on a Netty event loop that must never block, while
 * BouncyCastle's DTLS engine is blocking. So {@link #receive} only copies the datagram into a
 * bounded queue (dropping and counting when it is full), and one task on the {@link Executor}
 * given to the constructor runs the handshake and afterwards keeps reading records until the
 * transport closes; it blocks on that queue, and its timeouts drive BC's flight retransmission
 * (RFC 6347 §4.2.4). The task occupies an executor thread for the transport's whole life;
 * {@link #close()} ends it promptly. Outbound datagrams go to the {@link DatagramSender} from that
 * thread.
 *
 * <p><b>Authentication.</b> Both ends present a certificate; the peer's must hash to the
 * fingerprint from its SDP (RFC 5763 §5), else the handshake fails with bad_certificate and the
 * transport closes.
 *
 * <p><b>Keys.</b> use_srtp offers/accepts the profiles of {@link DtlsTransportConfig#srtpProfiles()}
 * (AEAD_AES_128_GCM, then AES128_CM_HMAC_SHA1_80) with an empty MKI; after the handshake the keys
 * are exported with label "EXTRACTOR-dtls_srtp" (RFC 5764 §4.2) and handed to
 * {@link Listener#onConnected}.
 *
 * <p><b>After the handshake</b> a close_notify or fatal alert from the peer closes the transport;
 * application data (data channels, later) is counted and ignored. A peer that just goes away is
 * not noticed here: that is ICE consent freshness' job (RFC 7675).
 */
public final class DtlsTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsTransport.class);

    /** The smallest datagram that can hold a DTLS record header (RFC 6347 §4.1). */
    private static final int RECORD_HEADER_LENGTH = 13;
    /** How long one post-handshake read waits; only bounds BC's internal timers, close() wakes it anyway. */
    private static final int READ_WAIT_MILLIS = 1000;

    /** Thread-safe (its SecureRandom is); shared so each transport does not seed its own. */
    private static final BcTlsCrypto CRYPTO = new BcTlsCrypto(new SecureRandom());

    /**
     * Events of one transport.
     *
     * <p>{@link #onConnected} is called at most once, on the executor thread, before any
     * {@link #onClosed}. {@link #onClosed} is called exactly once: on the executor thread, except
     * when {@link DtlsTransport#close()} is called before {@link DtlsTransport#start()} or the
     * executor rejects the task, in which case on the thread calling close/start. Implementations
     * should hand the event to the owner's event loop and return quickly; exceptions are logged
     * and ignored.
     */
    public interface Listener {
        /** The handshake completed; {@code keys} are already oriented for this side's role. */
        void onConnected(SrtpKeyingMaterial keys);

        /** The transport is finished: handshake failure, peer close or alert, or local close. */
        void onClosed(String reason);
    }

    private enum State { NEW, RUNNING, CLOSED }

    private final DtlsRole role;
    private final DtlsCertificate localCertificate;
    private final DtlsFingerprint expectedRemoteFingerprint;
    private final Executor executor;
    private final Listener listener;
    private final DtlsTransportConfig config;
    private final DtlsCounters counters;
    private final QueuedDatagramTransport datagrams;
    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

    private volatile long startNanos;
    private volatile boolean connected;
    private volatile SrtpProfile srtpProfile;
    private volatile DtlsFailureReason failureReason;

    /**
     * @param role                      {@link DtlsRole#SERVER} towards browsers (we answer a=setup:passive)
     * @param localCertificate          our identity; its fingerprint is in our SDP
     * @param expectedRemoteFingerprint the fingerprint from the remote SDP's a=fingerprint
     * @param sender                    writes datagrams to the peer (called on the executor thread)
     * @param executor                  runs the blocking handshake and record reading, one task per
     *                                  transport for its whole life: size it for the number of live
     *                                  transports (e.g. a cached or virtual-thread pool)
     * @param listener                  connection events, see {@link Listener} for threads
     * @param config                    timeouts, MTU, queue size, SRTP profiles, counters
     */
    public DtlsTransport(DtlsRole role, DtlsCertificate localCertificate, DtlsFingerprint expectedRemoteFingerprint,
                         DatagramSender sender, Executor executor, Listener listener, DtlsTransportConfig config) {
        this.role = Objects.requireNonNull(role, "role");
        this.localCertificate = Objects.requireNonNull(localCertificate, "localCertificate");
        this.expectedRemoteFingerprint = Objects.requireNonNull(expectedRemoteFingerprint, "expectedRemoteFingerprint");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.config = Objects.requireNonNull(config, "config");
        this.counters = config.counters();
        this.datagrams = new QueuedDatagramTransport(Objects.requireNonNull(sender, "sender"), counters,
                config.mtu(), config.receiveQueueCapacity());
    }

    /**
     * Like the main constructor with {@link DtlsTransportConfig#defaults()} and the remote
     * fingerprint as it appears in SDP: algorithm (e.g. {@code sha-256}) and colon-separated hex,
     * compared case-insensitively.
     *
     * @throws IllegalArgumentException if the fingerprint is malformed or its algorithm unsupported
     */
    public DtlsTransport(DtlsRole role, DtlsCertificate localCertificate, String remoteFingerprintAlgorithm,
                         String remoteFingerprintHex, DatagramSender sender, Executor executor, Listener listener) {
        this(role, localCertificate, DtlsFingerprint.of(remoteFingerprintAlgorithm, remoteFingerprintHex), sender,
                executor, listener, DtlsTransportConfig.defaults());
    }

    /**
     * Starts the handshake on the executor; the handshake timeout counts from here. Datagrams
     * received before this are kept (up to the queue's capacity). A no-op once closed.
     *
     * @throws IllegalStateException if already started
     */
    public void start() {
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            if (state.get() == State.CLOSED) {
                return;
            }
            throw new IllegalStateException("DTLS transport already started");
        }
        startNanos = System.nanoTime();
        try {
            executor.execute(this::run);
        } catch (RejectedExecutionException e) {
            LOG.warn("executor rejected the DTLS task", e);
            finish("executor rejected the DTLS task");
        }
    }

    /**
     * Hands a datagram from the network to the transport. Call from the event loop: it never
     * blocks and never throws for bad input (empty, too short for a record header, or larger than
     * the receive limit is counted and dropped, as is anything beyond the queue's capacity).
     *
     * <p>The readable bytes are copied; neither the buffer's indexes nor its reference count are
     * touched: the caller keeps ownership and releases it.
     */
    public void receive(ByteBuf datagram) {
        counters.datagramReceived();
        if (state.get() == State.CLOSED) {
            counters.droppedClosed();
            return;
        }
        int length = datagram.readableBytes();
        if (length < RECORD_HEADER_LENGTH || length > datagrams.receiveLimit()) {
            counters.droppedInvalid();
            return;
        }
        byte[] copy = new byte[length];
        datagram.getBytes(datagram.readerIndex(), copy);
        if (!datagrams.offer(copy)) {
            counters.droppedQueueFull();
        }
    }

    /**
     * Closes the transport: sends close_notify if connected (RFC 5246 §7.2.1), aborts a handshake
     * in progress, and lets the executor thread go. Idempotent, never blocks, callable from any
     * thread. {@link Listener#onClosed} follows (see {@link Listener} for the thread).
     */
    @Override
    public void close() {
        datagrams.requestClose();
        if (state.compareAndSet(State.NEW, State.CLOSED)) {
            notifyClosed("closed locally before start");
        }
    }

    public DtlsRole role() {
        return role;
    }

    /** True between {@link Listener#onConnected} and the transport closing. */
    public boolean isConnected() {
        return connected && state.get() != State.CLOSED;
    }

    public boolean isClosed() {
        return state.get() == State.CLOSED;
    }

    /** The negotiated SRTP profile, or null before the handshake completed. */
    public SrtpProfile srtpProfile() {
        return srtpProfile;
    }

    /** Why the handshake failed, or null if it did not (yet). */
    public DtlsFailureReason failureReason() {
        return failureReason;
    }

    public DtlsFingerprint localFingerprint() {
        return localCertificate.fingerprint();
    }

    public DtlsFingerprint expectedRemoteFingerprint() {
        return expectedRemoteFingerprint;
    }

    /** This transport's counters (shared with others when the config said so). */
    public DtlsCounters counters() {
        return counters;
    }

    @Override
    public String toString() {
        return "DtlsTransport{" + role + ", " + state.get() + (connected ? ", connected " + srtpProfile : "") + "}";
    }

    /** The executor task: handshake, then read records until closed. */
    private void run() {
        String reason;
        try {
            reason = handshakeAndRead();
        } catch (RuntimeException e) {
            // BC bugs or a misbehaving listener must not leave the transport half-open.
            LOG.warn("DTLS transport failed unexpectedly", e);
            reason = "internal error: " + e;
        }
        finish(reason);
    }

    private String handshakeAndRead() {
        HandshakeState handshake = new HandshakeState(expectedRemoteFingerprint);
        datagrams.setDeadline(startNanos + config.handshakeTimeout().toNanos());
        DTLSTransport dtls;
        try {
            if (role == DtlsRole.SERVER) {
                DtlsSrtpServer server = new DtlsSrtpServer(CRYPTO, localCertificate, handshake, config);
                DTLSServerProtocol protocol = new DTLSServerProtocol();
                // The cookie exchange (RFC 6347 §4.2.1) proves the client's address; ICE
                // connectivity checks already did (RFC 8445 §2), so skip its round trip.
                protocol.setVerifyRequests(false);
                dtls = protocol.accept(server, datagrams);
            } else {
                DtlsSrtpClient client = new DtlsSrtpClient(CRYPTO, localCertificate, handshake, config);
                dtls = new DTLSClientProtocol().connect(client, datagrams);
            }
        } catch (IOException e) {
            DtlsFailureReason reason = classify(handshake, e);
            failureReason = reason;
            counters.handshakeFailed(reason);
            LOG.debug("DTLS {} handshake failed: {}", role, reason, e);
            return "handshake failed: " + reason + " (" + describe(handshake, e) + ")";
        }
        datagrams.endHandshake();
        if (datagrams.closeRequested()) {
            closeQuietly(dtls);
            return "closed locally";
        }

        SrtpProfile profile = handshake.selectedProfile();
        byte[] material = handshake.takeKeyingMaterial();
        SrtpKeyingMaterial keys = SrtpKeyingMaterial.fromExporter(profile, material, role == DtlsRole.CLIENT);
        Arrays.fill(material, (byte) 0);
        srtpProfile = profile;
        connected = true;
        counters.handshakeCompleted();
        LOG.debug("DTLS {} handshake completed in {} ms, {}", role,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), profile);
        try {
            listener.onConnected(keys);
        } catch (RuntimeException e) {
            LOG.warn("DtlsTransport.Listener.onConnected threw", e);
        }
        return readUntilClosed(dtls, handshake);
    }

    private String readUntilClosed(DTLSTransport dtls, HandshakeState handshake) {
        try {
            byte[] buf = new byte[dtls.getReceiveLimit()];
            while (true) {
                // Also serves BC's post-handshake duties: retransmitting our last flight when the
                // peer repeats its own (RFC 6347 §4.2.4) and answering close_notify.
                int length = dtls.receive(buf, 0, buf.length, READ_WAIT_MILLIS);
                if (length >= 0) {
                    counters.applicationDataRecord();
                }
            }
        } catch (InterruptedIOException e) {
            // The peer's close_notify (BC already answered it), or our close(): see below.
        } catch (IOException e) {
            // A fatal alert from the peer or a protocol failure; BC has already alerted the peer.
            return handshake.alertReceived() >= 0
                    ? "fatal alert received: " + AlertDescription.getText(handshake.alertReceived())
                    : "DTLS failure: " + e.getMessage();
        }
        if (datagrams.closedByRecordLayer()) {
            // BC closes its side only on the peer's close_notify (which it has answered) while we
            // read: our own close_notify is sent below, after the loop.
            return handshake.alertReceived() == AlertDescription.close_notify
                    ? "close_notify received"
                    : "closed by peer";
        }
        closeQuietly(dtls);
        return "closed locally";
    }

    /** RFC 5246 §7.2.1: tell the peer we are going, so it can stop at once rather than time out. */
    private static void closeQuietly(DTLSTransport dtls) {
        try {
            dtls.close();
        } catch (IOException e) {
            LOG.debug("sending close_notify failed", e);
        }
    }

    private DtlsFailureReason classify(HandshakeState handshake, IOException e) {
        if (handshake.failure() != null) {
            return handshake.failure();
        }
        if (datagrams.deadlineExpired() || e instanceof TlsTimeoutException) {
            return DtlsFailureReason.TIMEOUT;
        }
        if (datagrams.closeRequested()) {
            return DtlsFailureReason.CLOSED_LOCALLY;
        }
        if (handshake.alertReceived() >= 0) {
            return DtlsFailureReason.ALERT_RECEIVED;
        }
        return DtlsFailureReason.PROTOCOL_ERROR;
    }

    private static String describe(HandshakeState handshake, IOException e) {
        if (handshake.alertReceived() >= 0) {
            return "peer sent " + AlertDescription.getText(handshake.alertReceived());
        }
        String message = e.getMessage();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null) {
            message = message == null ? cause.getMessage() : message + ": " + cause.getMessage();
        }
        return message != null ? message : e.getClass().getSimpleName();
    }

    private void finish(String reason) {
        if (state.getAndSet(State.CLOSED) != State.CLOSED) {
            notifyClosed(reason);
        }
    }

    private void notifyClosed(String reason) {
        datagrams.stopSending();
        LOG.debug("DTLS {} transport closed: {}", role, reason);
        try {
            listener.onClosed(reason);
        } catch (RuntimeException e) {
            LOG.warn("DtlsTransport.Listener.onClosed threw", e);
        }
    }
}
