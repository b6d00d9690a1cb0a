package org.archipelago.server;

import org.archipelago.media.router.KeyframeThrottle;
import org.archipelago.media.router.SourceLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerConfigTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("config.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private String errorOf(String yaml) throws IOException {
        Path file = write(yaml);
        return assertThrows(ConfigException.class, () -> ServerConfig.load(file)).getMessage();
    }

    @Test
    void defaultsListenOnLoopbackOnly() {
        ServerConfig config = ServerConfig.defaults();
        assertEquals("127.0.0.1", config.media().bindAddress());
        assertEquals(10000, config.media().port());
        assertEquals(30, config.ice().consentTimeoutSeconds());
        assertEquals("127.0.0.1", config.http().bindAddress());
        assertEquals(8080, config.http().port());
        assertEquals("", config.auth().secret());
        assertFalse(config.media().impairment().enabled(), "no impairment unless asked for");
        assertEquals(512, config.media().retransmissionHistoryPackets());
        assertEquals(new ServerConfig.Keyframes(500, 1000), config.media().keyframes(),
                "key frames asked at most every 500 ms of a low layer, every second of a high one");
        assertFalse(config.exposedBeyondLoopback());
        assertEquals(List.of("127.0.0.1"), config.mediaAnnouncedAddresses().stream().map(a -> a.getHostAddress()).toList());
    }

    @Test
    void aFileOverridesOnlyWhatItNames() throws IOException {
        ServerConfig config = ServerConfig.load(write("""
                auth:
                  secret: 0123456789abcdef0123456789abcdef
                media:
                  port: 12000
                  bindAddress: 0.0.0.0
                  announcedAddresses: [192.0.2.10]
                """));
        assertEquals(12000, config.media().port());
        assertEquals(4194304, config.media().socketBufferBytes(), "untouched keys keep their defaults");
        assertTrue(config.exposedBeyondLoopback());
        assertEquals("192.0.2.10", config.mediaAnnouncedAddresses().get(0).getHostAddress());
    }

    @Test
    void keyframeIntervalsReachTheRoutersThrottle() throws IOException {
        ServerConfig config = ServerConfig.load(write("""
                media:
                  keyframes:
                    highLayerIntervalMs: 2000
                """));
        assertEquals(new ServerConfig.Keyframes(500, 2000), config.media().keyframes(), "the low layer keeps its default");
        KeyframeThrottle throttle = ArchipelagoServer.keyframeThrottle(config);
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), throttle.intervalNanos(SourceLayer.LOW));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(2000), throttle.intervalNanos(SourceLayer.HIGH));
    }

    @Test
    void emptyFileMeansDefaults() throws IOException {
        assertEquals(ServerConfig.defaults(), ServerConfig.load(write("")));
    }

    @Test
    void mistakesNameTheKey() throws IOException {
        assertTrue(errorOf("media:\n  prot: 1\n").contains("unknown key 'media.prot'"));
        assertTrue(errorOf("medai:\n  port: 1\n").contains("unknown key 'medai'"));
        assertTrue(errorOf("media:\n  port: 70000\n").contains("'media.port' must be between 0 and 65535, got 70000"));
        assertTrue(errorOf("media:\n  port: ten\n").contains("'media.port'"));
        assertTrue(errorOf("media:\n  bindAddress: example.org\n").contains("'media.bindAddress' must be a literal IP address"));
        String secret = "auth:\n  secret: 0123456789abcdef0123456789abcdef\n";
        assertTrue(errorOf(secret + "media:\n  bindAddress: 0.0.0.0\n").contains("'media.announcedAddresses' must list exactly one"));
        assertTrue(errorOf(secret + "media:\n  bindAddress: 0.0.0.0\n  announcedAddresses: [192.0.2.1, 192.0.2.2]\n")
                .contains("'media.announcedAddresses' must list exactly one"));
        assertTrue(errorOf("http:\n  bindAddress: 0.0.0.0\n").contains("'http.bindAddress'"), "security by default");
        assertTrue(errorOf("http:\n  bindAddress: 0.0.0.0\n").contains("'auth.secret' must be set"));
        assertTrue(errorOf("media:\n  bindAddress: 0.0.0.0\n  announcedAddresses: [192.0.2.1]\n").contains("'auth.secret' must be set"));
        assertTrue(errorOf("auth:\n  secret: short\n").contains("'auth.secret' must be at least 32 characters"));
        assertTrue(errorOf("http:\n  maxRequestBytes: 10\n").contains("'http.maxRequestBytes' must be between"));
        assertTrue(errorOf("media:\n  retransmissionHistoryPackets: 500\n").contains("'media.retransmissionHistoryPackets' must be a power of two"));
        assertTrue(errorOf("media:\n  impairment:\n    enabeld: true\n").contains("unknown key 'media.impairment.enabeld'"));
        assertTrue(errorOf("media:\n  keyframes:\n    lowLayerIntervalMs: 0\n")
                .contains("'media.keyframes.lowLayerIntervalMs' must be between 50 and 10000, got 0"));
        assertTrue(errorOf("media:\n  keyframes:\n    highLayerIntervalMs: 60000\n")
                .contains("'media.keyframes.highLayerIntervalMs' must be between 50 and 10000, got 60000"));
        assertTrue(errorOf("media:\n  keyframes:\n    intervalMs: 500\n").contains("unknown key 'media.keyframes.intervalMs'"));
        assertTrue(errorOf("media: 5\n").contains("'media' must be a mapping"));
        assertTrue(errorOf("dtls:\n  certificateFile: a.pem\n").contains("must be given together"));
        assertTrue(errorOf("ice:\n  consentTimeoutSeconds: 1\n").contains("'ice.consentTimeoutSeconds' must be between 5 and 3600"));
        assertTrue(errorOf("media: [1, 2\n").contains("not valid YAML"));
        assertTrue(errorOf("- a\n- b\n").contains("top level must be a mapping"));
    }
}
