package org.archipelago.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.archipelago.media.sdp.Direction;
import org.archipelago.media.sdp.Fingerprint;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.sdp.SdpOfferBuilder;
import org.archipelago.media.sdp.SendStream;
import org.archipelago.media.testing.Await;
import org.archipelago.server.ArchipelagoServer;
import org.archipelago.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.archipelago.server.http.SignalingClient.message;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The /ws protocol of docs/signaling.md: joins, events, the teacher's controls and every kind of bad message. */
class SignalingSocketTest {
    private static final String FINGERPRINT = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

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

    private SignalingClient connect() {
        return new SignalingClient(server.httpAddress().getPort());
    }

    private static String offer() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new SdpOfferBuilder()
                .iceCredentials("u" + random.nextInt(1000, 9999), "0123456789012345678901")
                .fingerprint(new Fingerprint("sha-256", FINGERPRINT))
                .addMedia(MediaKind.AUDIO, "0", Direction.SENDRECV, SendStream.withoutRtx(random.nextInt(1, Integer.MAX_VALUE), "c", "s", "a"))
                .addMedia(MediaKind.VIDEO, "1", Direction.SENDRECV, SendStream.withRtx(random.nextInt(1, Integer.MAX_VALUE), random.nextInt(1, Integer.MAX_VALUE), "c", "s", "v"))
                .build().toSdp();
    }

    private static ObjectNode join(String room, String role, String name) {
        ObjectNode join = message("join").put("room", room).put("role", role).put("name", name).put("sdp", offer());
        ArrayNode layout = join.putArray("layout");
        layout.addObject().put("mid", "0").put("purpose", "microphone");
        layout.addObject().put("mid", "1").put("purpose", "camera");
        if (!"teacher".equals(role)) {
            ((ObjectNode) layout.get(1)).put("receive", "teacher-camera");
        }
        return join;
    }

    private static void assertError(SignalingClient client, String code, String messagePart) throws InterruptedException {
        JsonNode error = client.next("error");
        assertEquals(code, error.path("code").asText(), error.toString());
        assertTrue(error.path("message").asText().contains(messagePart), error.toString());
    }

    @Test
    void joinAnswersAndOthersHearOfComingsAndGoings() throws Exception {
        try (SignalingClient teacher = connect(); SignalingClient classroom = connect()) {
            teacher.send(join("geo", "teacher", "Ms Lin"));
            JsonNode joined = teacher.next("joined");
            assertTrue(joined.path("sdp").asText().contains("a=ice-lite"));
            String teacherId = joined.path("id").asText();
            assertEquals(0, joined.path("participants").size());

            classroom.send(join("geo", "classroom", "Lanyu Island"));
            JsonNode classroomJoined = classroom.next("joined");
            String classroomId = classroomJoined.path("id").asText();
            assertEquals(teacherId, classroomJoined.path("participants").get(0).path("id").asText());
            assertEquals("teacher", classroomJoined.path("participants").get(0).path("role").asText());

            JsonNode arrived = teacher.next("participant-joined");
            assertEquals(classroomId, arrived.path("id").asText());
            assertEquals("Lanyu Island", arrived.path("name").asText());

            long closedAt = System.nanoTime();
            classroom.close();
            JsonNode left = teacher.next("participant-left");
            assertEquals(classroomId, left.path("id").asText());
            assertTrue(System.nanoTime() - closedAt < TimeUnit.SECONDS.toNanos(2), "a classroom that leaves disappears within 2 s");
        }
    }

    @Test
    void theTeachersControlsReachEveryoneAndNoOneElseMayUseThem() throws Exception {
        try (SignalingClient teacher = connect(); SignalingClient first = connect(); SignalingClient second = connect()) {
            teacher.send(join("geo", "teacher", "Ms Lin"));
            teacher.next("joined");
            first.send(join("geo", "classroom", "Lanyu"));
            String firstId = first.next("joined").path("id").asText();
            second.send(join("geo", "classroom", "Kinmen"));
            second.next("joined");

            second.send(message("stage").put("participant", firstId));
            assertError(second, "not-teacher", "only the room's teacher");

            teacher.send(message("stage").put("participant", firstId));
            assertEquals(firstId, second.next("stage").path("participant").asText());
            assertEquals(firstId, first.next("stage").path("participant").asText());
            teacher.send(message("stage").putNull("participant"));
            assertTrue(second.next("stage").path("participant").isNull());

            teacher.send(message("floor").put("participant", firstId));
            assertEquals(firstId, second.next("floor").path("participant").asText());
            teacher.send(message("screen").put("on", true));
            assertTrue(first.next("screen").path("on").asBoolean());

            teacher.send(message("stage").put("participant", "p999"));
            assertError(teacher, "no-such-participant", "p999");

            SignalingClient late = connect();
            late.send(join("geo", "observer", "Principal"));
            JsonNode joined = late.next("joined");
            assertEquals(firstId, joined.path("floor").asText(), "a newcomer learns the floor");
            assertTrue(joined.path("screen").asBoolean(), "and the screen share");
            late.close();
        }
    }

    @Test
    void aSecondTeacherIsRefusedWithAStableCode() throws Exception {
        try (SignalingClient teacher = connect(); SignalingClient intruder = connect()) {
            teacher.send(join("geo", "teacher", "Ms Lin"));
            teacher.next("joined");
            intruder.send(join("geo", "teacher", "Mr Chen"));
            assertError(intruder, "teacher-present", "already has a teacher");
        }
    }

    @Test
    void aTeacherWithTheCredentialTakesOverAndTheOldOneIsToldWhy() throws Exception {
        try (SignalingClient old = connect(); SignalingClient classroom = connect(); SignalingClient replacement = connect()) {
            old.send(join("geo", "teacher", "Ms Lin"));
            String oldId = old.next("joined").path("id").asText();
            classroom.send(join("geo", "classroom", "Lanyu"));
            classroom.next("joined");

            replacement.send(join("geo", "teacher", "Mr Chen").put("takeover", true));
            JsonNode joined = replacement.next("joined");
            JsonNode dropped = old.next("dropped");
            assertEquals("replaced", dropped.path("code").asText());
            assertTrue(dropped.path("message").asText().contains("another teacher took over"), dropped.toString());
            assertTrue(old.closed.get(5, TimeUnit.SECONDS) > 0, "the old teacher's socket is closed");
            assertEquals(oldId, classroom.next("participant-left").path("id").asText());
            assertTrue(joined.path("participants").toString().contains("Lanyu"));

            // The new teacher holds the controls now.
            replacement.send(message("screen").put("on", true));
            assertTrue(classroom.next("screen").path("on").asBoolean());
        }
    }

    @Test
    void badMessagesGetErrorsAndTheSocketStaysOpen() throws Exception {
        try (SignalingClient client = connect()) {
            client.sendText("not json");
            assertError(client, "bad-message", "not JSON");
            client.sendText("[1, 2]");
            assertError(client, "bad-message", "JSON object");
            client.send(message("dance"));
            assertError(client, "bad-message", "unknown message type 'dance'");
            client.send(message("stage").put("participant", "p1"));
            assertError(client, "not-joined", "join first");
            client.send(message("join").put("room", "geo").put("role", "teacher").put("sdp", offer()));
            assertError(client, "bad-message", "\"name\" is missing");
            client.send(message("join").put("room", "geo").put("role", "king").put("name", "x").put("sdp", offer()));
            assertError(client, "bad-message", "\"role\" must be");
            client.send(message("join").put("room", "geo").put("role", "teacher").put("name", "x").put("sdp", "garbage"));
            assertError(client, "bad-sdp", "line 1");
            ObjectNode badLayout = join("geo", "teacher", "x");
            ((ArrayNode) badLayout.get("layout")).addObject().put("mid", "2").put("purpose", "hologram");
            client.send(badLayout);
            assertError(client, "bad-message", "unknown purpose 'hologram'");
            client.send(message("join").put("room", "no spaces").put("role", "teacher").put("name", "x").put("sdp", offer()));
            assertError(client, "bad-room-name", "room names");

            // After all that, the same socket still joins.
            client.send(join("geo", "teacher", "Ms Lin"));
            client.next("joined");
            client.send(join("geo", "teacher", "Ms Lin"));
            assertError(client, "not-joined", "already joined");
        }
        Await.until("the room to close", Duration.ofSeconds(5), () -> server.lessons().roomCount() == 0);
        assertEquals(0, server.media().peers().size(), "no bad message left a peer behind");
    }

    @Test
    void anOversizedFrameClosesOnlyThatSocket() throws Exception {
        try (SignalingClient big = connect(); SignalingClient bystander = connect()) {
            bystander.send(join("geo", "teacher", "Ms Lin"));
            bystander.next("joined");
            big.sendText("{\"type\":\"join\",\"sdp\":\"" + "x".repeat(70_000) + "\"}");
            assertEquals(1009, big.closed.get(5, TimeUnit.SECONDS), "message too big");
            bystander.send(message("screen").put("on", false));
            bystander.next("screen");
        }
    }
}
