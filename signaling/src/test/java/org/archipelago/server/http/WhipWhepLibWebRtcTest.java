package org.archipelago.server.http;

import org.archipelago.media.testing.Await;
import org.archipelago.media.testing.webrtc.LibWebRtcPeer;
import org.archipelago.media.testing.webrtc.PeerStats;
import org.archipelago.server.ArchipelagoServer;
import org.archipelago.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A lesson published over WHIP and watched over WHEP, both ends real libwebrtc: the player decodes
 * the publisher's video and receives its audio through the server's forwarding.
 */
class WhipWhepLibWebRtcTest {
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
