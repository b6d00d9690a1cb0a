package org.archipelago.server.http;

import org.archipelago.media.peer.PeerConnection;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.stats.SendStatistics;
import org.archipelago.media.testing.Await;
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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lesson published over WHIP and watched over WHEP, both ends real libwebrtc: the player decodes
 * the publisher's video and receives its audio through the server's forwarding.
 */
class WhipWhepLibWebRtcTest {
    private static final Logger LOG = LoggerFactory.getLogger(WhipWhepLibWebRtcTest.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private ArchipelagoServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, "http:\n  port: 0\nmedia:\n  port: 0\n");
        server = ArchipelagoServer.start(ServerConfig.load(file));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(String path, String offer) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path);
        return http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/sdp")
                .POST(HttpRequest.BodyPublishers.ofString(offer)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void whepPlayerDecodesWhatTheWhipPublisherSends() throws Exception {
        try (LibWebRtcPeer publisher = LibWebRtcPeer.create("whip", LibWebRtcPeer.Options.defaults().withVideo(true, false).withAudio(true, false));
             LibWebRtcPeer player = LibWebRtcPeer.create("whep", LibWebRtcPeer.Options.defaults().withVideo(false, true).withAudio(false, true))) {
            HttpResponse<String> published = post("/whip/lesson", publisher.createOffer());
            assertEquals(201, published.statusCode(), published.body());
            publisher.setAnswer(published.body());
            publisher.awaitConnected(TIMEOUT);

            HttpResponse<String> playing = post("/whep/lesson", player.createOffer());
            assertEquals(201, playing.statusCode(), playing.body());
            player.setAnswer(playing.body());
            player.awaitConnected(TIMEOUT);

            PeerStats stats = player.awaitStats(s -> s.videoFramesDecoded() >= 30 && s.audioPacketsReceived() >= 50, TIMEOUT);
            assertTrue(stats.videoFramesDecoded() >= 30, stats.toString());
            assertTrue(stats.audioPacketsReceived() >= 50, stats.toString());
        }
    }

    /**
     * RED of Opus (RFC 2198) end to end. The WHIP publisher, answered with RED before Opus, sends
     * every frame with the previous one again; a player that offered RED gets those packets as
     * sent, a player that did not gets each packet's primary Opus frame. Both decode the tone
     * without concealment to speak of, and the RED player's packets carry about twice the audio.
     */
    @Test
    void redFromTheWhipPublisherReachesAPlayerWithRedAndOneWithout() throws Exception {
        LibWebRtcPeer.Options audioOnly = LibWebRtcPeer.Options.defaults().withVideo(false, false);
        try (LibWebRtcPeer publisher = LibWebRtcPeer.create("whip", audioOnly.withAudio(true, false));
             LibWebRtcPeer redPlayer = LibWebRtcPeer.create("whep-red", audioOnly.withAudio(false, true));
             LibWebRtcPeer opusPlayer = LibWebRtcPeer.create("whep-opus", audioOnly.withAudio(false, true).withAudioRed(false))) {
            HttpResponse<String> published = post("/whip/lesson", publisher.createOffer());
            assertEquals(201, published.statusCode(), published.body());
            assertTrue(published.body().contains(" UDP/TLS/RTP/SAVPF 63 111\r\n"), "RED first, so libwebrtc sends it: " + published.body());
            assertTrue(published.body().contains("a=fmtp:111 useinbandfec=1\r\n"), "Opus in-band FEC kept: " + published.body());
            publisher.setAnswer(published.body());
            publisher.awaitConnected(TIMEOUT);

            HttpResponse<String> withRed = post("/whep/lesson", redPlayer.createOffer());
            assertEquals(201, withRed.statusCode(), withRed.body());
            assertTrue(withRed.body().contains("a=rtpmap:63 red/48000/2"), withRed.body());
            redPlayer.setAnswer(withRed.body());
            HttpResponse<String> withoutRed = post("/whep/lesson", opusPlayer.createOffer());
            assertEquals(201, withoutRed.statusCode(), withoutRed.body());
            assertFalse(withoutRed.body().contains("red/48000"), withoutRed.body());
            opusPlayer.setAnswer(withoutRed.body());
            redPlayer.awaitConnected(TIMEOUT);
            opusPlayer.awaitConnected(TIMEOUT);

            for (LibWebRtcPeer player : List.of(redPlayer, opusPlayer)) {
                PeerStats stats = player.awaitStats(s -> s.audioPacketsReceived() >= 150 && s.audioEnergy() > 0, TIMEOUT);
                assertTrue(stats.audioSamplesConcealed() < stats.audioSamplesReceived() / 5,
                        player + " decodes what it receives: " + stats);
                LOG.info("{}: {} audio packets, {} samples played, {} concealed, energy {}", player,
                        stats.audioPacketsReceived(), stats.audioSamplesReceived(), stats.audioSamplesConcealed(),
                        stats.audioEnergy());
            }
            double redBytes = audioOctetsPerPacket(withRed);
            double opusBytes = audioOctetsPerPacket(withoutRed);
            LOG.info("Audio payload bytes per packet sent: {} with RED, {} without", redBytes, opusBytes);
            assertTrue(redBytes > 1.6 * opusBytes,
                    "RED carries the previous frame too: " + redBytes + " vs " + opusBytes + " bytes per packet");
        }
    }

    /** Payload bytes per audio packet the server sent to the WHEP session this response created. */
    private double audioOctetsPerPacket(HttpResponse<String> created) throws Exception {
        String location = created.headers().firstValue("Location").orElseThrow();
        String sessionId = location.substring(location.lastIndexOf('/') + 1);
        PeerConnection peer = server.media().peers().stream().filter(p -> p.id().equals(sessionId)).findFirst().orElseThrow();
        long ssrc = peer.answer().negotiatedMedia().stream().filter(m -> m.kind() == MediaKind.AUDIO)
                .findFirst().orElseThrow().sendStream().ssrc();
        return peer.eventLoop().submit(() -> {
            SendStatistics sent = peer.statistics().sendStatistics(ssrc);
            return sent.octetsSent() / (double) sent.packetsSent();
        }).get(5, TimeUnit.SECONDS);
    }

    /**
     * The player is there first; the teacher arrives, leaves, and a new teacher takes over. The
     * player's one stream carries on through both changes (SSRC, sequence numbers and timestamps
     * rewritten to stay continuous) and its decoder keeps decoding.
     */
    @Test
    void aPlayerKeepsDecodingAcrossATeacherReplacedMidLesson() throws Exception {
        try (LibWebRtcPeer player = LibWebRtcPeer.create("whep", LibWebRtcPeer.Options.defaults().withVideo(false, true).withAudio(false, true))) {
            HttpResponse<String> playing = post("/whep/lesson", player.createOffer());
            assertEquals(201, playing.statusCode(), playing.body());
            player.setAnswer(playing.body());
            player.awaitConnected(TIMEOUT);

            long decodedWithFirstTeacher;
            try (LibWebRtcPeer first = LibWebRtcPeer.create("teacher-1", LibWebRtcPeer.Options.defaults().withVideo(true, false).withAudio(true, false))) {
                HttpResponse<String> published = post("/whip/lesson", first.createOffer());
                assertEquals(201, published.statusCode(), published.body());
                first.setAnswer(published.body());
                decodedWithFirstTeacher = player.awaitStats(s -> s.videoFramesDecoded() >= 30, TIMEOUT).videoFramesDecoded();
            }
            // The first teacher is gone (close_notify); the room keeps the player.
            Await.until("the first teacher to leave", TIMEOUT, () -> server.lessons().room("lesson").participants().size() == 1);
            try (LibWebRtcPeer second = LibWebRtcPeer.create("teacher-2", LibWebRtcPeer.Options.defaults().withVideo(true, false).withAudio(true, false))) {
                HttpResponse<String> published = post("/whip/lesson", second.createOffer());
                assertEquals(201, published.statusCode(), "the teacher's place is free again: " + published.body());
                second.setAnswer(published.body());
                player.awaitStats(s -> s.videoFramesDecoded() >= decodedWithFirstTeacher + 30, TIMEOUT);
            }
        }
    }
}
