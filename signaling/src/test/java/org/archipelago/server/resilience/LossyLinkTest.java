package org.archipelago.server.resilience;

import org.archipelago.media.impair.Direction;
import org.archipelago.media.impair.ImpairmentProfile;
import org.archipelago.media.impair.LossModel;
import org.archipelago.media.peer.PeerConnection;
import org.archipelago.media.testing.webrtc.LibWebRtcPeer;
import org.archipelago.media.testing.webrtc.PeerStats;
import org.archipelago.server.ArchipelagoServer;
import org.archipelago.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A libwebrtc subscriber behind a lossy link (the server's in-process impairment on its egress),
 * measured over 10 s at the subscriber (libwebrtc's own stats) and at the server (its counters).
 */
class LossyLinkTest {
    private static final Logger LOG = LoggerFactory.getLogger(LossyLinkTest.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration MEASURED = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private ArchipelagoServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** What one 20-second run measured at the subscriber and the server. */
    record Measurement(double framesPerSecond, long freezes, long nacksSent, long retransmissionsReceived) {
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

    private String post(String path, String offer) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString(offer)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(201, response.statusCode(), response.body());
        return response.body() + "\u0000" + response.headers().firstValue("Location").orElseThrow();
    }

    private Measurement watch(ImpairmentProfile profile) throws Exception {
        try (LibWebRtcPeer player = LibWebRtcPeer.create("player", LibWebRtcPeer.Options.defaults().withVideo(false, true).withAudio(false, true))) {
            String[] answer = post("/whep/island", player.createOffer()).split("\u0000");
            player.setAnswer(answer[0]);
            player.awaitConnected(TIMEOUT);
            String sessionId = answer[1].substring(answer[1].lastIndexOf('/') + 1);
            PeerConnection peer = server.media().peers().stream().filter(p -> p.id().equals(sessionId)).findFirst().orElseThrow();
            player.awaitStats(s -> s.videoFramesDecoded() >= 30, TIMEOUT);
            InetSocketAddress address = peer.remoteAddress();
            if (profile != null) {
                server.media().impairment().impair(address, Direction.EGRESS, profile);
            }
            try {
                // Let repair settle in, then measure.
                player.awaitStats(s -> s.videoFramesDecoded() >= 90, TIMEOUT);
                PeerStats before = player.stats();
                long end = System.nanoTime() + MEASURED.toNanos();
                PeerStats after = player.awaitStats(s -> System.nanoTime() >= end, MEASURED.plusSeconds(10));
                double fps = (after.videoFramesDecoded() - before.videoFramesDecoded()) / (double) MEASURED.toSeconds();
                long retransmitted = peer.retransmissions().rtxSent() + peer.retransmissions().plainRetransmissionsSent();
                return new Measurement(fps, after.videoFreezeCount() - before.videoFreezeCount(), after.videoNacksSent(), retransmitted);
            } finally {
                if (profile != null) {
                    server.media().impairment().clear(address, Direction.EGRESS);
                }
            }
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
            teacher.setAnswer(post("/whip/island", teacher.createOffer()).split("\u0000")[0]);
            teacher.awaitConnected(TIMEOUT);
            List<InetSocketAddress> impaired = new ArrayList<>();
            try {
                for (LibWebRtcPeer player : List.of(redPlayer, opusPlayer)) {
                    String[] answer = post("/whep/island", player.createOffer()).split("\u0000");
                    player.setAnswer(answer[0]);
                    player.awaitConnected(TIMEOUT);
                    String sessionId = answer[1].substring(answer[1].lastIndexOf('/') + 1);
                    InetSocketAddress address = server.media().peers().stream().filter(p -> p.id().equals(sessionId))
                            .findFirst().orElseThrow().remoteAddress();
                    server.media().impairment().impair(address, Direction.EGRESS,
                            ImpairmentProfile.NONE.withLoss(LossModel.uniform(0.10)));
                    impaired.add(address);
                }
                PeerStats redBefore = redPlayer.awaitStats(s -> s.audioSamplesReceived() > 0, TIMEOUT);
                PeerStats opusBefore = opusPlayer.awaitStats(s -> s.audioSamplesReceived() > 0, TIMEOUT);
                long end = System.nanoTime() + MEASURED.toNanos();
                PeerStats redAfter = redPlayer.awaitStats(s -> System.nanoTime() >= end, MEASURED.plusSeconds(10));
                PeerStats opusAfter = opusPlayer.stats();
                double red = concealedShare(redBefore, redAfter);
                double opus = concealedShare(opusBefore, opusAfter);
                LOG.info("Lossy link, subscriber leg, 10% loss: audio concealed {}% with RED ({} packets lost), {}% without ({} lost)",
                        String.format("%.1f", 100 * red), redAfter.audioPacketsLost() - redBefore.audioPacketsLost(),
                        String.format("%.1f", 100 * opus), opusAfter.audioPacketsLost() - opusBefore.audioPacketsLost());
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

    /**
     * The subscriber leg repairs itself: a libwebrtc subscriber behind 5 % bursty loss NACKs, the
     * server answers with retransmissions from its history, and the subscriber keeps decoding at
     * close to the publisher's 30 fps (the server's transport-wide feedback lets the libwebrtc
     * publisher's congestion control run at its full rate).
     */
    @Test
    void aSubscriberBehindBurstyLossIsRepairedByRetransmission() throws Exception {
        try (LibWebRtcPeer teacher = LibWebRtcPeer.create("teacher", LibWebRtcPeer.Options.defaults().withVideo(true, false).withAudio(true, false))) {
            teacher.setAnswer(post("/whip/island", teacher.createOffer()).split("\u0000")[0]);
            teacher.awaitConnected(TIMEOUT);

            // Gilbert-Elliott with every packet of a bad state lost: mean loss p / (p + r) = 5 %,
            // mean burst 1 / r = 4 packets.
            double r = 0.25;
            double p = 0.05 * r / 0.95;
            Measurement bursty = watch(ImpairmentProfile.NONE.withLoss(LossModel.gilbertElliott(p, r, 0, 1)));
            LOG.info("Lossy link, subscriber leg, 5% bursty loss: {} fps decoded, {} freezes, {} NACKs sent, {} retransmitted",
                    String.format("%.1f", bursty.framesPerSecond()), bursty.freezes(), bursty.nacksSent(), bursty.retransmissionsReceived());
            assertTrue(bursty.nacksSent() > 0, "the subscriber asked for what it lost: " + bursty);
            assertTrue(bursty.retransmissionsReceived() > 0, "the server answered from its history: " + bursty);
            assertTrue(bursty.framesPerSecond() >= 20, "decoding carries on through the loss near the sender's 30 fps: " + bursty);
        }
    }
}
