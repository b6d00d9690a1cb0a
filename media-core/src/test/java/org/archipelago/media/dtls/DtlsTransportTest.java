package org.archipelago.media.dtls;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.archipelago.media.srtp.SrtpKeyingMaterial;
import org.archipelago.media.srtp.SrtpProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our DTLS client against our DTLS server over real loopback UDP (Netty NIO channels). */
class DtlsTransportTest {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsTransportTest.class);
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Generated once: key generation is not what these tests are about. */
    private static final DtlsCertificate CLIENT_CERT = DtlsCertificate.generate();
    /** Loaded back from PEM, so every handshake here also proves a loaded identity signs correctly. */
    private static final DtlsCertificate SERVER_CERT = pemRoundTrip(DtlsCertificate.generate());

    private EventLoopGroup group;
    private ExecutorService executor;
    private final AtomicInteger threadCount = new AtomicInteger();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void setUp() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        executor = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "dtls-test-" + threadCount.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS), "DTLS threads did not end");
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void handshakeAgreesOnGcmAndMirroredKeys() throws Exception {
        Peers peers = connect(config(), config(), CLIENT_CERT.fingerprint(), SERVER_CERT.fingerprint(), 0, 0);
        long start = System.nanoTime();
        SrtpKeyingMaterial clientKeys = peers.clientEvents.awaitConnected(WAIT);
        SrtpKeyingMaterial serverKeys = peers.serverEvents.awaitConnected(WAIT);
        LOG.info("lossless handshake: {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));

        assertEquals(SrtpProfile.AEAD_AES_128_GCM, clientKeys.profile());
        assertEquals(SrtpProfile.AEAD_AES_128_GCM, serverKeys.profile());
        assertEquals(SrtpProfile.AEAD_AES_128_GCM, peers.client.srtpProfile());
        assertArrayEquals(clientKeys.localKey(), serverKeys.remoteKey());
        assertArrayEquals(clientKeys.localSalt(), serverKeys.remoteSalt());
        assertArrayEquals(serverKeys.localKey(), clientKeys.remoteKey());
        assertArrayEquals(serverKeys.localSalt(), clientKeys.remoteSalt());
        assertFalse(Arrays.equals(clientKeys.localKey(), clientKeys.remoteKey()),
                "client_write and server_write keys must differ");
        assertTrue(peers.client.isConnected());
        assertTrue(peers.server.isConnected());
        assertEquals(1, peers.client.counters().handshakesCompleted());
        assertEquals(1, peers.server.counters().handshakesCompleted());
        assertEquals(0, peers.server.counters().datagramsDroppedQueueFull());
        assertTrue(peers.server.counters().datagramsReceived() > 0);
    }

    @Test
    void clientOfferingOnlyAesCmGetsAesCm() throws Exception {
        DtlsTransportConfig clientConfig = config().withSrtpProfiles(List.of(SrtpProfile.AES128_CM_HMAC_SHA1_80));
        Peers peers = connect(clientConfig, config(), CLIENT_CERT.fingerprint(), SERVER_CERT.fingerprint(), 0, 0);
        SrtpKeyingMaterial clientKeys = peers.clientEvents.awaitConnected(WAIT);
        SrtpKeyingMaterial serverKeys = peers.serverEvents.awaitConnected(WAIT);

        assertEquals(SrtpProfile.AES128_CM_HMAC_SHA1_80, clientKeys.profile());
        assertEquals(SrtpProfile.AES128_CM_HMAC_SHA1_80, serverKeys.profile());
        assertArrayEquals(clientKeys.localKey(), serverKeys.remoteKey());
        assertArrayEquals(clientKeys.localSalt(), serverKeys.remoteSalt());
        assertArrayEquals(serverKeys.localKey(), clientKeys.remoteKey());
    }

    @Test
    void flightsAreFragmentedToTheMtu() throws Exception {
        // Our certificate message alone is over 300 bytes, so BC must fragment it (RFC 6347 §4.2.3).
        DtlsTransportConfig smallMtu = config().withMtu(300);
        Peers peers = connect(smallMtu, smallMtu, CLIENT_CERT.fingerprint(), SERVER_CERT.fingerprint(), 0, 0);
        SrtpKeyingMaterial clientKeys = peers.clientEvents.awaitConnected(WAIT);
        SrtpKeyingMaterial serverKeys = peers.serverEvents.awaitConnected(WAIT);

        assertArrayEquals(clientKeys.localKey(), serverKeys.remoteKey());
        assertTrue(peers.clientLink.largest() <= 300, "client sent " + peers.clientLink.largest());
        assertTrue(peers.serverLink.largest() <= 300, "server sent " + peers.serverLink.largest());
        assertTrue(peers.serverLink.sent() > 2, "server flight should span several datagrams");
    }

    @Test
    void defaultFlightsFitOneDatagramEach() throws Exception {
        // A long retransmission timeout, so that a slow machine does not count retransmissions.
        DtlsTransportConfig patient = config().withInitialRetransmit(Duration.ofSeconds(10));
        Peers peers = connect(patient, patient, CLIENT_CERT.fingerprint(), SERVER_CERT.fingerprint(), 0, 0);
        peers.clientEvents.awaitConnected(WAIT);
        peers.serverEvents.awaitConnected(WAIT);

        // ClientHello, then Certificate..Finished; ServerHello..ServerHelloDone, then CCS+Finished.
        assertEquals(2, peers.clientLink.sent());
        assertEquals(2, peers.serverLink.sent());
        assertTrue(peers.serverLink.largest() <= DtlsTransportConfig.DEFAULT_MTU);
    }

    @Test
    void noCommonSrtpProfileFailsBothSides() throws Exception {
        DtlsTransportConfig clientConfig = config().withSrtpProfiles(List.of(SrtpProfile.AES128_CM_HMAC_SHA1_80));
        DtlsTransportConfig serverConfig = config().withSrtpProfiles(List.of(SrtpProfile.AEAD_AES_128_GCM));
        Peers peers = connect(clientConfig, serverConfig, CLIENT_CERT.fingerprint(), SERVER_CERT.fingerprint(), 0, 0);

        assertTrue(peers.serverEvents.awaitClosed(WAIT).contains("NO_COMMON_SRTP_PROFILE"));
        assertTrue(peers.clientEvents.awaitClosed(WAIT).contains("ALERT_RECEIVED"));
        assertEquals(1, peers.server.counters().handshakeFailures(DtlsFailureReason.NO_COMMON_SRTP_PROFILE));
        assertFalse(peers.clientEvents.isConnected());
        assertFalse(peers.serverEvents.isConnected());
    }

    @ParameterizedTest
    @EnumSource(DtlsRole.class)
    void wrongExpectedFingerprintFailsTheCheckingSideAndClosesBoth(DtlsRole checker) throws Exception {
        DtlsFingerprint wrong = DtlsCertificate.generate().fingerprint();
        DtlsFingerprint clientExpects = checker == DtlsRole.CLIENT ? wrong : SERVER_CERT.fingerprint();
        DtlsFingerprint serverExpects = checker == DtlsRole.SERVER ? wrong : CLIENT_CERT.fingerprint();
        Peers peers = connect(config(), config(), serverExpects, clientExpects, 0, 0);

        String clientReason = peers.clientEvents.awaitClosed(WAIT);
        String serverReason = peers.serverEvents.awaitClosed(WAIT);
        DtlsTransport checking = checker == DtlsRole.CLIENT ? peers.client : peers.server;
        DtlsTransport other = checker == DtlsRole.CLIENT ? peers.server : peers.client;
        assertEquals(DtlsFailureReason.FINGERPRINT_MISMATCH, checking.failureReason(), clientReason + " / " + serverReason);
        assertEquals(1, checking.counters().handshakeFailures(DtlsFailureReason.FINGERPRINT_MISMATCH));
        assertEquals(DtlsFailureReason.ALERT_RECEIVED, other.failureReason());
        assertTrue(peers.client.isClosed());
        assertTrue(peers.server.isClosed());
        assertFalse(peers.clientEvents.isConnected(), "no keys for an unauthenticated peer");
        assertFalse(peers.serverEvents.isConnected(), "no keys for an unauthenticated peer");
        assertNull(checking.srtpProfile());
    }

    /**
     * 20 % of datagrams lost in each direction; BC's flight retransmission (RFC 6347 §4.2.4) must
     * still finish. The initial retransmission timeout is shortened to keep the test quick; the
     * back-off and the logic are BC's defaults.
     */
    @Test
    void handshakeSurvivesTwentyPercentLossEachWay() throws Exception {
        DtlsTransportConfig lossy = config().withInitialRetransmit(Duration.ofMillis(100))
                .withHandshakeTimeout(Duration.ofSeconds(25));
        int droppedInAll = 0;
        for (long seed = 1; seed <= 8; seed++) {
            long start = System.nanoTime();
            Peers peers = connect(lossy, lossy, CLIENT_CERT.fingerprint(), SERVER_CERT.fingerprint(), 0.2, seed);
            SrtpKeyingMaterial clientKeys = peers.clientEvents.awaitConnected(Duration.ofSeconds(30));
            SrtpKeyingMaterial serverKeys = peers.serverEvents.awaitConnected(Duration.ofSeconds(30));
            LOG.info("seed {}: handshake with 20% loss took {} ms; client sent {} datagrams (dropped {}), "
                            + "server sent {} (dropped {})", seed,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), peers.clientLink.sent(),
                    peers.clientLink.dropped(), peers.serverLink.sent(), peers.serverLink.dropped());
            assertEquals(clientKeys.profile(), serverKeys.profile());
            assertArrayEquals(clientKeys.localKey(), serverKeys.remoteKey());
            assertArrayEquals(serverKeys.localKey(), clientKeys.remoteKey());
            droppedInAll += peers.clientLink.dropped() + peers.serverLink.dropped();
            peers.client.close();
            peers.server.close();
        }
        // The seeds are chosen so that flights really were lost (the first decisions of each
        // seeded Random do not depend on timing): without this the test could pass vacuously.
        assertTrue(droppedInAll >= 5, "only " + droppedInAll + " datagrams dropped");
    }

    @ParameterizedTest
    @EnumSource(DtlsRole.class)
    void closeNotifyReachesThePeer(DtlsRole closer) throws Exception {
        Peers peers = connect(config(), config(), CLIENT_CERT.fingerprint(), SERVER_CERT.fingerprint(), 0, 0);
        peers.clientEvents.awaitConnected(WAIT);
        peers.serverEvents.awaitConnected(WAIT);
        DtlsTransport closing = closer == DtlsRole.CLIENT ? peers.client : peers.server;
        RecordingListener closingEvents = closer == DtlsRole.CLIENT ? peers.clientEvents : peers.serverEvents;
        RecordingListener otherEvents = closer == DtlsRole.CLIENT ? peers.serverEvents : peers.clientEvents;

        closing.close();
        closing.close(); // idempotent

        assertEquals("closed locally", closingEvents.awaitClosed(WAIT));
        assertEquals("close_notify received", otherEvents.awaitClosed(WAIT));
        assertTrue(peers.client.isClosed());
        assertTrue(peers.server.isClosed());
        assertFalse(peers.client.isConnected());
        assertTrue(closingEvents.closedOnThread().startsWith("dtls-test-"), closingEvents.closedOnThread());
        // Both executor threads are free again: the pool can terminate.
        executor.shutdown();
        assertTrue(executor.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals(1, closingEvents.closedCalls());
        assertEquals(1, otherEvents.closedCalls());
        assertEquals(0, peers.client.counters().handshakeFailuresTotal());
    }

    @Test
    void handshakeTimesOutWithoutAPeer() throws Exception {
        UdpLink link = track(new UdpLink(group, 0, 1.0)); // everything it sends is lost
        UdpLink.pair(link, track(new UdpLink(group, 0, 0)));
        RecordingListener events = new RecordingListener();
        DtlsTransport client = track(new DtlsTransport(DtlsRole.CLIENT, CLIENT_CERT, SERVER_CERT.fingerprint(), link,
                executor, events, config().withInitialRetransmit(Duration.ofMillis(50))
                        .withHandshakeTimeout(Duration.ofMillis(400))));
        link.attach(client);
        long start = System.nanoTime();
        client.start();

        String reason = events.awaitClosed(WAIT);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(reason.contains("TIMEOUT"), reason);
        assertEquals(DtlsFailureReason.TIMEOUT, client.failureReason());
        assertEquals(1, client.counters().handshakeFailures(DtlsFailureReason.TIMEOUT));
        assertTrue(elapsedMillis >= 350 && elapsedMillis < 5_000, "timed out after " + elapsedMillis + " ms");
        assertTrue(link.sent() > 1, "ClientHello should have been retransmitted");
    }

    @Test
    void closeDuringHandshakeEndsPromptlyAndFreesTheThread() throws Exception {
        UdpLink link = track(new UdpLink(group, 0, 0));
        UdpLink.pair(link, track(new UdpLink(group, 0, 0)));
        RecordingListener events = new RecordingListener();
        DtlsTransport server = track(new DtlsTransport(DtlsRole.SERVER, SERVER_CERT, CLIENT_CERT.fingerprint(), link,
                executor, events, config()));
        server.start();

        server.close();

        String reason = events.awaitClosed(WAIT);
        assertTrue(reason.contains("CLOSED_LOCALLY"), reason);
        executor.shutdown();
        assertTrue(executor.awaitTermination(5, TimeUnit.SECONDS));
        assertEquals(1, events.closedCalls());
        assertEquals(0, events.connectedCalls());
    }

    @Test
    void closeBeforeStartNotifiesOnTheCallerAndStartIsThenANoOp() throws Exception {
        RecordingListener events = new RecordingListener();
        DtlsTransport server = new DtlsTransport(DtlsRole.SERVER, SERVER_CERT, "sha-256",
                CLIENT_CERT.fingerprintHex().toLowerCase(Locale.ROOT), (buf, off, len) -> { },
                executor, events);

        server.close();
        server.start();

        assertTrue(events.isClosed());
        assertEquals(Thread.currentThread().getName(), events.closedOnThread());
        assertEquals(1, events.closedCalls());
    }

    @Test
    void junkDatagramsDuringTheHandshakeAreDroppedWithoutHarm() throws Exception {
        Peers peers = connect(config(), config(), CLIENT_CERT.fingerprint(), SERVER_CERT.fingerprint(), 0, 0, false);
        Random random = new Random(42);
        for (int i = 0; i < 50; i++) {
            byte[] junk = new byte[1 + random.nextInt(300)];
            random.nextBytes(junk);
            if (i % 2 == 0) {
                junk[0] = 22; // handshake content type, so it reaches the record parser
            }
            peers.clientLink.sendRaw(junk);
        }
        peers.server.start();
        peers.client.start();

        SrtpKeyingMaterial clientKeys = peers.clientEvents.awaitConnected(WAIT);
        SrtpKeyingMaterial serverKeys = peers.serverEvents.awaitConnected(WAIT);
        assertArrayEquals(clientKeys.localKey(), serverKeys.remoteKey());
    }

    private static DtlsCertificate pemRoundTrip(DtlsCertificate certificate) {
        return DtlsCertificate.fromPem(certificate.certificatePem(), certificate.privateKeyPem());
    }

    private DtlsTransportConfig config() {
        return DtlsTransportConfig.defaults().withHandshakeTimeout(Duration.ofSeconds(20));
    }

    private Peers connect(DtlsTransportConfig clientConfig, DtlsTransportConfig serverConfig,
                          DtlsFingerprint serverExpects, DtlsFingerprint clientExpects,
                          double lossRate, long seed) throws InterruptedException {
        return connect(clientConfig, serverConfig, serverExpects, clientExpects, lossRate, seed, true);
    }

    private Peers connect(DtlsTransportConfig clientConfig, DtlsTransportConfig serverConfig,
                          DtlsFingerprint serverExpects, DtlsFingerprint clientExpects,
                          double lossRate, long seed, boolean start) throws InterruptedException {
        UdpLink clientLink = track(new UdpLink(group, seed, lossRate));
        UdpLink serverLink = track(new UdpLink(group, seed * 31 + 7, lossRate));
        UdpLink.pair(clientLink, serverLink);
        RecordingListener clientEvents = new RecordingListener();
        RecordingListener serverEvents = new RecordingListener();
        // Separate counters per side, so each side's assertions see only its own.
        DtlsTransport server = track(new DtlsTransport(DtlsRole.SERVER, SERVER_CERT, serverExpects, serverLink,
                executor, serverEvents, serverConfig.withCounters(new DtlsCounters())));
        DtlsTransport client = track(new DtlsTransport(DtlsRole.CLIENT, CLIENT_CERT, clientExpects, clientLink,
                executor, clientEvents, clientConfig.withCounters(new DtlsCounters())));
        serverLink.attach(server);
        clientLink.attach(client);
        if (start) {
            server.start();
            client.start();
        }
        return new Peers(client, server, clientEvents, serverEvents, clientLink, serverLink);
    }

    private <T extends AutoCloseable> T track(T resource) {
        toClose.add(resource);
        return resource;
    }

    private record Peers(DtlsTransport client, DtlsTransport server,
                         RecordingListener clientEvents, RecordingListener serverEvents,
                         UdpLink clientLink, UdpLink serverLink) {
    }
}
