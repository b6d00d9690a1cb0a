package org.archipelago.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.archipelago.media.testing.webrtc.LibWebRtcPeer;
import org.archipelago.media.testing.webrtc.PeerStats;
import org.archipelago.server.ArchipelagoServer;
import org.archipelago.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.archipelago.server.http.SignalingClient.message;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A teacher and a classroom join over /ws with real libwebrtc peers: the classroom decodes the teacher. */
class SignalingLibWebRtcTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private ArchipelagoServer server;

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

    private static ObjectNode join(String role, String name, String offer, String videoReceive) {
        ObjectNode join = message("join").put("room", "lesson").put("role", role).put("name", name).put("sdp", offer);
        var layout = join.putArray("layout");
        // LibWebRtcPeer offers audio as mid 0 and video as mid 1.
        layout.addObject().put("mid", "0").put("purpose", "microphone");
        ObjectNode video = layout.addObject().put("mid", "1").put("purpose", "camera");
        if (videoReceive != null) {
            video.put("receive", videoReceive);
        }
        return join;
    }

    @Test
    void theClassroomDecodesTheTeachersCameraAndHearsTheTeacher() throws Exception {
        int port = server.httpAddress().getPort();
        try (LibWebRtcPeer teacherPeer = LibWebRtcPeer.create("teacher", LibWebRtcPeer.Options.defaults().withVideo(true, false).withAudio(true, false));
             LibWebRtcPeer classroomPeer = LibWebRtcPeer.create("classroom", LibWebRtcPeer.Options.defaults());
             SignalingClient teacher = new SignalingClient(port);
             SignalingClient classroom = new SignalingClient(port)) {
            teacher.send(join("teacher", "Ms Lin", teacherPeer.createOffer(), null));
            JsonNode teacherJoined = teacher.next("joined");
            teacherPeer.setAnswer(teacherJoined.path("sdp").asText());
            teacherPeer.awaitConnected(TIMEOUT);

            classroom.send(join("classroom", "Lanyu Island", classroomPeer.createOffer(), "teacher-camera"));
            JsonNode classroomJoined = classroom.next("joined");
            classroomPeer.setAnswer(classroomJoined.path("sdp").asText());
            classroomPeer.awaitConnected(TIMEOUT);

            PeerStats stats = classroomPeer.awaitStats(s -> s.videoFramesDecoded() >= 30 && s.audioPacketsReceived() >= 50, TIMEOUT);
            assertTrue(stats.videoFramesDecoded() >= 30, stats.toString());
            teacher.next("participant-joined");
        }
    }
}
