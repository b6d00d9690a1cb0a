package org.archipelago.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MainTest {
    @TempDir
    Path dir;

    private record Outcome(int status, String out, String err) {
    }

    private static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpAndDefaults() {
        Outcome help = run("--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--config FILE"));
        Outcome config = run("--print-config");
        assertEquals(0, config.status());
        assertTrue(config.out().contains("bindAddress: 127.0.0.1"));
    }

    @Test
    void badArgumentsAndConfigurationExitWithTwoAndSayWhy() throws IOException {
        Outcome unknown = run("--colour");
        assertEquals(2, unknown.status());
        assertTrue(unknown.err().contains("unknown argument '--colour'"));
        Outcome missing = run("--config");
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("--config needs a file name"));
        Outcome absent = run("--config", dir.resolve("absent.yaml").toString());
        assertEquals(2, absent.status());
        assertTrue(absent.err().contains("does not exist"));
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "media:\n  port: -1\n");
        Outcome invalid = run("--config", bad.toString());
        assertEquals(2, invalid.status());
        assertTrue(invalid.err().contains("'media.port' must be between 0 and 65535, got -1"), invalid.err());
    }

    /** The real process: starts on its port, logs its ICE/DTLS parameters, and stops cleanly on SIGTERM. */
    @Test
    void startsAndStopsCleanlyOnSigterm() throws Exception {
        int port;
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path config = dir.resolve("server.yaml");
        Files.writeString(config, "http:\n  port: 0\nmedia:\n  port: " + port + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "--config", config.toString())
                .redirectErrorStream(true)
                .start();
        List<String> lines = new ArrayList<>();
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (line.contains("Archipelago started")) {
                        started.complete(null);
                    }
                }
            } catch (IOException ignored) {
                // The process ended.
            }
        });
        reader.start();
        try {
            started.get(30, TimeUnit.SECONDS);
            // The port is taken by the server.
            assertTrue(portInUse(port), "the server holds udp " + port);
            // SIGTERM through the handle: Process.destroy() would also close our end of its output.
            process.toHandle().destroy();
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "the server exits after SIGTERM");
            reader.join(5000);
        } finally {
            process.destroyForcibly();
        }
        String output;
        synchronized (lines) {
            output = String.join("\n", lines);
        }
        assertTrue(output.contains("udp /127.0.0.1:" + port), output);
        assertTrue(output.contains("DTLS sha-256 "), output);
        assertTrue(output.contains("Archipelago stopped"), "exit " + process.exitValue() + ": " + output);
        assertTrue(!output.contains("Exception"), output);
        assertEquals(143, process.exitValue(), "the JVM's status after SIGTERM with shutdown hooks done");
        assertTrue(!portInUse(port), "the port is free again");
    }

    private static boolean portInUse(int port) {
        try (DatagramSocket socket = new DatagramSocket(port, InetAddress.getLoopbackAddress())) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
