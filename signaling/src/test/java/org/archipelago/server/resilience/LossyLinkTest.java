package org.archipelago.server.resilience;

import org.archipelago.media.impair.Direction;
import org.archipelago.media.impair.ImpairmentProfile;
import org.archipelago.media.impair.LossModel;
import org.archipelago.media.peer.PeerConnection;
import org.archipelago.media.rtx.RetransmissionDropReason;
import org.archipelago.media.rtx.RtxDepacketizer;
import org.archipelago.media.testing.webrtc.LibWebRtcPeer;
import org.archipelago.media.testing.webrtc.PeerStats;
import org.archipelago.server.ArchipelagoServer;
import org.archipelago.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The measurement: a libwebrtc publisher (WHIP) and a libwebrtc subscriber (WHEP) through
 * the real server, with the server's in-process impairment on one leg at a time, each pattern
 * measured for 20 s at the subscriber (libwebrtc's own stats: frames decoded, {@code freezeCount},
 * NACKs) and at the server (its counters: NACKs, retransmissions, key frame requests).
 *
 * <p>Targets, from the issue: at 5 % uniform and at 5 % bursty loss the decoded frame rate stays
 * within 10 % of the clean link's and nothing freezes; at 15 % it stays above half. The figures are
 * logged as table rows ({@code RESILIENCE |}) for docs/resilience.md.
 */
class LossyLinkTest {
    private static final Logger LOG = LoggerFactory.getLogger(LossyLinkTest.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration SETTLE = Duration.ofSeconds(2);
    private static final Duration MEASURED = Duration.ofSeconds(20);
    private static final Duration AUDIO_MEASURED = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private ArchipelagoServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One loss pattern on one leg. */
    record Condition(String pattern, Direction direction, ImpairmentProfile profile) {
        String leg() {
            return profile == null ? "none" : direction == Direction.EGRESS ? "subscriber" : "publisher";
        }
    }

    /** What one 20-second run measured. */
    record Measurement(Condition condition, double framesPerSecond, long freezes, long nacksSent,
                       long retransmissionsSent, long keyframesRequested, long packetsLost, long retransmissionsRefused) {
        String row() {
            return String.format(Locale.ROOT, "| %s | %s | %.1f | %d | %d | %d | %d |", condition.pattern(), condition.leg(),
                    framesPerSecond, freezes, nacksSent, retransmissionsSent, keyframesRequested);
        }
    }

    @BeforeEach
    void start() throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, "http:\n  port: 0\nmedia:\n  port: 0\n  impairment:\n    enabled: true\n    seed: 7\n");
        server = ArchipelagoServer.start(ServerConfig.load(file));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** POSTs an offer; returns the answer and the session id from Location. */
    private String[] post(String path, String offer) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString(offer)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
        String location = response.headers().firstValue("Location").orElseThrow();
        return new String[] {response.body(), location.substring(location.lastIndexOf('/') + 1)};
    }

    private PeerConnection peer(String sessionId) {
        return server.media().peers().stream().filter(p -> p.id().equals(sessionId)).findFirst().orElseThrow();
    }

    /** Reads peer state on the peer's own loop, where it lives. */
    private static <T> T onLoop(PeerConnection peer, Callable<T> read) throws Exception {
        return peer.eventLoop().submit(read).get(5, TimeUnit.SECONDS);
    }

    /**
     * Counters of both server legs, read together. RTX the publisher sent that repaired a loss is
     * what was restored minus what was not needed (libwebrtc also probes bandwidth with RTX).
     */
    private record ServerCounters(long publisherNacks, long publisherRtxUsed, long keyframeRequests,
                                  long subscriberRetransmissions, long subscriberRetransmissionsRefused) {
        static ServerCounters read(PeerConnection publisher, PeerConnection subscriber) throws Exception {
            long[] pub = onLoop(publisher, () -> new long[] {publisher.nacksSent(),
                    publisher.rtxRestored() - publisher.rtxDropCount(RtxDepacketizer.DropReason.NOT_NEEDED),
                    publisher.keyframeRequestsSent()});
            long[] sub = onLoop(subscriber, () -> {
                long refused = 0;
                for (RetransmissionDropReason reason : RetransmissionDropReason.values()) {
                    refused += subscriber.retransmissions().dropCount(reason);
                }
                return new long[] {subscriber.retransmissions().retransmissionsSent(), refused};
            });
            return new ServerCounters(pub[0], pub[1], pub[2], sub[0], sub[1]);
        }
    }

    private Measurement measure(Condition condition, LibWebRtcPeer player, PeerConnection publisher, PeerConnection subscriber)
            throws Exception {
        InetSocketAddress address = (condition.direction() == Direction.EGRESS ? subscriber : publisher).remoteAddress();
        if (condition.profile() != null) {
            server.media().impairment().impair(address, condition.direction(), condition.profile());
        }
        try {
            long settled = System.nanoTime() + SETTLE.toNanos();
            PeerStats before = player.awaitStats(s -> System.nanoTime() >= settled, SETTLE.plusSeconds(10));
            ServerCounters serverBefore = ServerCounters.read(publisher, subscriber);
            long start = System.nanoTime();
            long end = start + MEASURED.toNanos();
            PeerStats after = player.awaitStats(s -> System.nanoTime() >= end, MEASURED.plusSeconds(10));
            double seconds = (System.nanoTime() - start) / 1e9;
            ServerCounters serverAfter = ServerCounters.read(publisher, subscriber);
            boolean publisherLeg = condition.direction() == Direction.INGRESS;
            return new Measurement(condition,
                    (after.videoFramesDecoded() - before.videoFramesDecoded()) / seconds,
                    after.videoFreezeCount() - before.videoFreezeCount(),
                    publisherLeg ? serverAfter.publisherNacks() - serverBefore.publisherNacks()
                            : after.videoNacksSent() - before.videoNacksSent(),
                    publisherLeg ? serverAfter.publisherRtxUsed() - serverBefore.publisherRtxUsed()
                            : serverAfter.subscriberRetransmissions() - serverBefore.subscriberRetransmissions(),
                    serverAfter.keyframeRequests() - serverBefore.keyframeRequests(),
                    after.videoPacketsLost() - before.videoPacketsLost(),
                    serverAfter.subscriberRetransmissionsRefused() - serverBefore.subscriberRetransmissionsRefused());
        } finally {
            if (condition.profile() != null) {
                server.media().impairment().clear(address, condition.direction());
            }
        }
    }

    /** Gilbert-Elliott with every packet of the bad state lost: mean loss 5 %, mean burst 4 packets. */
    private static ImpairmentProfile burstyFivePercent() {
        double r = 0.25;
        double p = 0.05 * r / 0.95;
        return ImpairmentProfile.NONE.withLoss(LossModel.gilbertElliott(p, r, 0, 1));
    }

    private static ImpairmentProfile uniform(double loss) {
        return ImpairmentProfile.NONE.withLoss(LossModel.uniform(loss));
    }

    /**
     * A clean run, then each loss pattern on the subscriber's leg (the server's egress to it: the
     * subscriber NACKs, the server retransmits from its history) and on the publisher's leg (the
     * server's ingress from it: the server NACKs upstream and forwards the restored RTX).
     */
    @Test
    void bothLegsRepairThemselvesUnderLoss() throws Exception {
        LibWebRtcPeer.Options camera = LibWebRtcPeer.Options.defaults().withFrameSize(640, 360, 30);
        try (LibWebRtcPeer teacher = LibWebRtcPeer.create("teacher", camera.withVideo(true, false).withAudio(true, false));
             LibWebRtcPeer player = LibWebRtcPeer.create("player", camera.withVideo(false, true).withAudio(false, true))) {
            String[] published = post("/whip/island", teacher.createOffer());
            teacher.setAnswer(published[0]);
            teacher.awaitConnected(TIMEOUT);
            String[] played = post("/whep/island", player.createOffer());
            player.setAnswer(played[0]);
            player.awaitConnected(TIMEOUT);
            PeerConnection publisher = peer(published[1]);
            PeerConnection subscriber = peer(played[1]);
            // The publisher's congestion control ramps up on our transport-wide feedback first.
            player.awaitStats(s -> s.videoFramesDecoded() >= 150, TIMEOUT);

            List<Measurement> results = new ArrayList<>();
            Measurement clean = measure(new Condition("none", Direction.EGRESS, null), player, publisher, subscriber);
            results.add(clean);
            for (Direction direction : new Direction[] {Direction.EGRESS, Direction.INGRESS}) {
                results.add(measure(new Condition("5 % uniform", direction, uniform(0.05)), player, publisher, subscriber));
                results.add(measure(new Condition("5 % bursty (mean burst 4)", direction, burstyFivePercent()), player, publisher, subscriber));
                results.add(measure(new Condition("15 % uniform", direction, uniform(0.15)), player, publisher, subscriber));
            }
            LOG.info("RESILIENCE | loss | leg | decoded fps | freezes | NACKs sent | RTX sent | keyframes requested |");
            for (Measurement m : results) {
                LOG.info("RESILIENCE {} (packets lost at the subscriber: {}, NACKed packets the server did not resend: {})",
                        m.row(), m.packetsLost(), m.retransmissionsRefused());
            }

            List<Executable> checks = new ArrayList<>();
            checks.add(() -> assertTrue(clean.framesPerSecond() >= 20, "the clean link runs near the publisher's 30 fps: " + clean));
            for (Measurement m : results.subList(1, results.size())) {
                if (m.condition().pattern().startsWith("15")) {
                    checks.add(() -> assertTrue(m.framesPerSecond() > clean.framesPerSecond() / 2,
                            "above half the clean frame rate (" + clean.framesPerSecond() + "): " + m));
                } else {
                    checks.add(() -> assertTrue(m.framesPerSecond() >= 0.9 * clean.framesPerSecond(),
                            "within 10 % of the clean frame rate (" + clean.framesPerSecond() + "): " + m));
                    checks.add(() -> assertEquals(0, m.freezes(), "no freeze: " + m));
                }
                checks.add(() -> assertTrue(m.nacksSent() > 0 && m.retransmissionsSent() > 0, "loss was repaired by NACK and RTX: " + m));
            }
            assertAll(checks);
        }
    }

    /**
     * RED on the subscriber leg: two players behind the same 10 % loss, one that negotiated RED
     * and one that did not (it gets the primary Opus frames). The RED player rebuilds a lost frame
     * from the next packet's redundant copy, so it conceals far less of the audio.
     */
    @Test
    void redLetsAPlayerBehindLossConcealFarLessAudio() throws Exception {
        LibWebRtcPeer.Options audioOnly = LibWebRtcPeer.Options.defaults().withVideo(false, false);
        try (LibWebRtcPeer teacher = LibWebRtcPeer.create("teacher", audioOnly.withAudio(true, false));
             LibWebRtcPeer redPlayer = LibWebRtcPeer.create("red-player", audioOnly.withAudio(false, true));
             LibWebRtcPeer opusPlayer = LibWebRtcPeer.create("opus-player", audioOnly.withAudio(false, true).withAudioRed(false))) {
            teacher.setAnswer(post("/whip/island", teacher.createOffer())[0]);
            teacher.awaitConnected(TIMEOUT);
            List<InetSocketAddress> impaired = new ArrayList<>();
            try {
                for (LibWebRtcPeer player : List.of(redPlayer, opusPlayer)) {
                    String[] answer = post("/whep/island", player.createOffer());
                    player.setAnswer(answer[0]);
                    player.awaitConnected(TIMEOUT);
                    InetSocketAddress address = peer(answer[1]).remoteAddress();
                    server.media().impairment().impair(address, Direction.EGRESS, uniform(0.10));
                    impaired.add(address);
                }
                PeerStats redBefore = redPlayer.awaitStats(s -> s.audioSamplesReceived() > 0, TIMEOUT);
                PeerStats opusBefore = opusPlayer.awaitStats(s -> s.audioSamplesReceived() > 0, TIMEOUT);
                long end = System.nanoTime() + AUDIO_MEASURED.toNanos();
                PeerStats redAfter = redPlayer.awaitStats(s -> System.nanoTime() >= end, AUDIO_MEASURED.plusSeconds(10));
                PeerStats opusAfter = opusPlayer.stats();
                double red = concealedShare(redBefore, redAfter);
                double opus = concealedShare(opusBefore, opusAfter);
                LOG.info("Lossy link, subscriber leg, 10% loss: audio concealed {}% with RED ({} packets lost), {}% without ({} lost)",
                        String.format(Locale.ROOT, "%.1f", 100 * red), redAfter.audioPacketsLost() - redBefore.audioPacketsLost(),
                        String.format(Locale.ROOT, "%.1f", 100 * opus), opusAfter.audioPacketsLost() - opusBefore.audioPacketsLost());
                assertTrue(opusAfter.audioPacketsLost() - opusBefore.audioPacketsLost() > 0, "the loss reached the player");
                assertTrue(red < opus / 2, "RED conceals " + red + " of the audio, Opus alone " + opus);
            } finally {
                for (InetSocketAddress address : impaired) {
                    server.media().impairment().clear(address, Direction.EGRESS);
                }
            }
        }
    }

    /** The share of the samples played between two stats readings that libwebrtc had to make up. */
    private static double concealedShare(PeerStats before, PeerStats after) {
        long played = after.audioSamplesReceived() - before.audioSamplesReceived();
        return played == 0 ? 1 : (after.audioSamplesConcealed() - before.audioSamplesConcealed()) / (double) played;
    }
}
