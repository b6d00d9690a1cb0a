package org.archipelago.server.http;

import org.archipelago.media.sdp.Direction;
import org.archipelago.media.sdp.Fingerprint;
import org.archipelago.media.sdp.MediaKind;
import org.archipelago.media.sdp.SdpOfferBuilder;
import org.archipelago.media.sdp.SendStream;
import org.archipelago.server.ArchipelagoServer;
import org.archipelago.server.ServerConfig;
import org.archipelago.server.auth.JoinTokens;
import org.archipelago.server.lesson.Role;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** WHIP/WHEP over real HTTP: the RFC 9725 resource semantics, CORS, and every kind of bad request. */
class WhipWhepHttpTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final String FINGERPRINT = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";

    @TempDir
    Path dir;

    private ArchipelagoServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(String extraYaml) throws Exception {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, "http:\n  port: 0\nmedia:\n  port: 0\n" + extraYaml);
        server = ArchipelagoServer.start(ServerConfig.load(file));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.httpAddress().getPort() + path);
    }

    /** An offer like a publisher's: audio and video, sendonly. */
    private static String publisherOffer() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return new SdpOfferBuilder()
                .iceCredentials("u" + random.nextInt(1000, 9999), "0123456789012345678901")
                .fingerprint(new Fingerprint("sha-256", FINGERPRINT))
                .addMedia(MediaKind.AUDIO, "0", Direction.SENDONLY, SendStream.withoutRtx(random.nextInt(1, Integer.MAX_VALUE), "c", "s", "a"))
                .addMedia(MediaKind.VIDEO, "1", Direction.SENDONLY, SendStream.withRtx(random.nextInt(1, Integer.MAX_VALUE), random.nextInt(1, Integer.MAX_VALUE), "c", "s", "v"))
                .build().toSdp();
    }

    private HttpResponse<String> post(String path, String contentType, String body, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(path)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void publishGivesCreatedWithAnAnswerAndALocationThatDeleteEnds() throws Exception {
        start("");
        HttpResponse<String> created = post("/whip/math", "application/sdp", publisherOffer(), null);
        assertEquals(201, created.statusCode(), created.body());
        assertEquals("application/sdp", created.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(created.body().startsWith("v=0\r\n"), created.body());
        assertTrue(created.body().contains("a=ice-lite"));
        assertEquals("*", created.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        String location = created.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith("/whip/math/"), location);
        assertEquals(1, server.lessons().roomCount());

        assertEquals(405, send("PATCH", location).statusCode(), "no trickle ICE or ICE restart on an ICE-lite server");
        assertEquals(200, send("DELETE", location).statusCode());
        assertEquals(404, send("DELETE", location).statusCode(), "ended once");
    }

    @Test
    void aSecondTeacherIsRefused() throws Exception {
        start("");
        assertEquals(201, post("/whip/math", "application/sdp", publisherOffer(), null).statusCode());
        HttpResponse<String> second = post("/whip/math", "application/sdp", publisherOffer(), null);
        assertEquals(409, second.statusCode());
        assertTrue(second.body().startsWith("teacher-present: "), second.body());
        assertEquals(201, post("/whip/music", "application/sdp", publisherOffer(), null).statusCode(), "another room has its own teacher");
    }

    @Test
    void badRequestsGetAStableCodeAndAMessage() throws Exception {
        start("");
        HttpResponse<String> wrongType = post("/whip/math", "application/json", publisherOffer(), null);
        assertEquals(415, wrongType.statusCode());
        assertTrue(wrongType.body().contains("application/sdp"), wrongType.body());

        HttpResponse<String> garbage = post("/whip/math", "application/sdp", "hello", null);
        assertEquals(400, garbage.statusCode());
        assertTrue(garbage.body().startsWith("bad-sdp: line 1"), garbage.body());

        HttpResponse<String> noFingerprint = post("/whep/math", "application/sdp",
                publisherOffer().replaceAll("a=fingerprint:[^\r\n]*\r\n", ""), null);
        assertEquals(400, noFingerprint.statusCode());
        assertTrue(noFingerprint.body().startsWith("offer-rejected: "), noFingerprint.body());

        HttpResponse<String> badRoom = post("/whip/no%20spaces", "application/sdp", publisherOffer(), null);
        assertEquals(400, badRoom.statusCode());
        assertTrue(badRoom.body().startsWith("bad-room-name: "), badRoom.body());

        assertEquals(405, send("GET", "/whip/math").statusCode());
        assertEquals(404, send("GET", "/nothing/here").statusCode());
        assertEquals(404, send("DELETE", "/whep/math/p999").statusCode());
        assertEquals(0, server.media().peers().size(), "no refused request left a peer behind");
    }

    @Test
    void oversizedAndMalformedRequestsAreRefusedWithoutHarm() throws Exception {
        start("http:\n  port: 0\n  maxRequestBytes: 8192\n".replace("http:\n  port: 0\n", "http:\n  port: 0\n"));
        HttpResponse<String> huge = post("/whip/math", "application/sdp", "v=0\r\n" + "a=x\r\n".repeat(4000), null);
        assertEquals(413, huge.statusCode());

        try (Socket socket = new Socket("127.0.0.1", server.httpAddress().getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write("NONSENSE\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 400", answer);
        }
        // The server still serves.
        assertEquals(201, post("/whip/math", "application/sdp", publisherOffer(), null).statusCode());
    }

    @Test
    void preflightAllowsBrowserToolsFromOtherOrigins() throws Exception {
        start("");
        HttpResponse<String> preflight = send("OPTIONS", "/whep/math");
        assertEquals(204, preflight.statusCode());
        assertEquals("*", preflight.headers().firstValue("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Methods").orElseThrow().contains("POST"));
        assertTrue(preflight.headers().firstValue("Access-Control-Allow-Headers").orElseThrow().contains("Authorization"));
        assertTrue(preflight.headers().firstValue("Access-Control-Expose-Headers").orElseThrow().contains("Location"));
        assertEquals("application/sdp", preflight.headers().firstValue("Accept-Post").orElseThrow());
    }

    @Test
    void withASecretEveryRequestNeedsAToken() throws Exception {
        start("auth:\n  secret: " + SECRET + "\n");
        JoinTokens tokens = new JoinTokens(SECRET);
        HttpResponse<String> none = post("/whip/math", "application/sdp", publisherOffer(), null);
        assertEquals(401, none.statusCode());
        assertTrue(none.body().startsWith("unauthorized: "), none.body());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"));

        String observer = tokens.mint("math", Role.OBSERVER, Duration.ofMinutes(5));
        HttpResponse<String> wrongRole = post("/whip/math", "application/sdp", publisherOffer(), observer);
        assertEquals(403, wrongRole.statusCode(), "an observer may not publish");
        HttpResponse<String> wrongRoom = post("/whip/music", "application/sdp", publisherOffer(),
                tokens.mint("math", Role.TEACHER, Duration.ofMinutes(5)));
        assertEquals(403, wrongRoom.statusCode());

        HttpResponse<String> teacher = post("/whip/math", "application/sdp", publisherOffer(), tokens.mint("math", Role.TEACHER, Duration.ofMinutes(5)));
        assertEquals(201, teacher.statusCode(), teacher.body());
        String location = teacher.headers().firstValue("Location").orElseThrow();
        assertEquals(401, send("DELETE", location).statusCode(), "ending a session needs a token too");
    }

    @Test
    void emptiedRoomsAreForgotten() throws Exception {
        start("");
        HttpResponse<String> created = post("/whip/math", "application/sdp", publisherOffer(), null);
        String location = created.headers().firstValue("Location").orElseThrow();
        assertEquals(1, server.lessons().roomCount());
        assertEquals(200, send("DELETE", location).statusCode());
        org.archipelago.media.testing.Await.until("the room to close", Duration.ofSeconds(5), () -> server.lessons().roomCount() == 0);
        assertEquals(201, post("/whip/math", "application/sdp", publisherOffer(), null).statusCode(), "the room opens again");
    }

    static String body(HttpResponse<String> response) throws IOException {
        return response.body();
    }
}
