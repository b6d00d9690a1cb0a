package org.archipelago.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of the test's own, joined to the host by a shaped veth pair: the Java side of
 * {@code src/test/sh/netns-link.sh} (read its header for how loss, delay and rate are applied).
 *
 * <p>The host end has {@link #hostAddress()} (a server bound there is reached through the link), the
 * namespace end {@link #peerAddress()}. Loss is applied by the kernel (nftables, UDP only); delay and
 * jitter only where the kernel has {@code sch_netem}: {@link #delayApplied()} says whether the
 * current shape's delay is in place, else the caller applies it (the server's impairment stage).
 *
 * <p>Names are unique per run and carry this JVM's pid as the owner, so links of parallel runs do not
 * clash and {@code prune} can remove those of runs that died. {@link #close()} is idempotent.
 */
public final class NamespaceLink implements AutoCloseable {
    /** The script, relative to the module directory (Surefire's working directory). */
    public static final Path SCRIPT = Path.of("src", "test", "sh", "netns-link.sh");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** Exit status of {@code netns-link.sh check} when this machine cannot make links at all. */
    private static final int CANNOT = 3;

    /**
     * What one direction of the link does; each direction gets all of it.
     *
     * @param lossPercent 0 to 100, two decimals at most
     * @param rate        a tc rate such as {@code 4mbit}, or null for none
     */
    public record Shape(double lossPercent, Duration delay, Duration jitter, String rate) {
        public static final Shape CLEAN = new Shape(0, Duration.ZERO, Duration.ZERO, null);

        public Shape withLoss(double percent) {
            return new Shape(percent, delay, jitter, rate);
        }

        public Shape withDelay(Duration newDelay, Duration newJitter) {
            return new Shape(lossPercent, newDelay, newJitter, rate);
        }

        public Shape withRate(String newRate) {
            return new Shape(lossPercent, delay, jitter, newRate);
        }

        List<String> arguments() {
            List<String> args = new ArrayList<>();
            if (lossPercent > 0) {
                args.addAll(List.of("--loss", String.format(Locale.ROOT, "%.2f", lossPercent)));
            }
            if (!delay.isZero()) {
                args.addAll(List.of("--delay", Long.toString(delay.toMillis())));
                if (!jitter.isZero()) {
                    args.addAll(List.of("--jitter", Long.toString(jitter.toMillis())));
                }
            }
            if (rate != null) {
                args.addAll(List.of("--rate", rate));
            }
            return args;
        }
    }

    private final String name;
    private final InetAddress hostAddress;
    private final InetAddress peerAddress;
    private volatile Map<String, String> applied;
    private boolean closed;

    private NamespaceLink(String name, Map<String, String> report) {
        this.name = name;
        this.hostAddress = address(report.get("host"));
        this.peerAddress = address(report.get("peer"));
        this.applied = report;
    }

    /**
     * Why links cannot be made on this machine (not root, no iproute2), for a JUnit assumption; empty
     * when they can.
     *
     * @throws IllegalStateException when they could but something the tests need is not installed
     */
    public static Optional<String> unavailableReason() {
        Result result = run(List.of("check"));
        if (result.status == 0) {
            return Optional.empty();
        }
        if (result.status == CANNOT) {
            return Optional.of(result.output.strip());
        }
        throw new IllegalStateException(result.output.strip() + " (.ci/run installs it)");
    }

    /** Makes a link named {@code prefix-PID-RANDOM}, first removing links of runs that died. */
    public static NamespaceLink up(String prefix, Shape shape) {
        run(List.of("prune"));
        String name = prefix + "-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        List<String> args = new ArrayList<>(List.of("up", name, "--owner", Long.toString(ProcessHandle.current().pid())));
        args.addAll(shape.arguments());
        return new NamespaceLink(name, report(run(args).checked(args)));
    }

    /** Replaces the link's shape. */
    public void shape(Shape shape) {
        List<String> args = new ArrayList<>(List.of("shape", name));
        args.addAll(shape.arguments());
        applied = report(run(args).checked(args));
    }

    public String name() {
        return name;
    }

    /** The host's end of the pair: bind a server here to serve the namespace. */
    public InetAddress hostAddress() {
        return hostAddress;
    }

    /** The namespace's end: where the namespace's traffic comes from. */
    public InetAddress peerAddress() {
        return peerAddress;
    }

    /** Whether the last shape's delay and jitter are applied by the kernel (false: do it yourself). */
    public boolean delayApplied() {
        return "netem".equals(applied.get("delay"));
    }

    /** The script's last report: how loss, delay and rate are applied. */
    public String describe() {
        return "loss=" + applied.get("loss") + " delay=" + applied.get("delay") + " rate=" + applied.get("rate");
    }

    /** A process builder for a command run inside the namespace (it inherits this one's files). */
    public ProcessBuilder inside(List<String> command) {
        List<String> full = new ArrayList<>(List.of("bash", SCRIPT.toString(), "exec", name));
        full.addAll(command);
        return new ProcessBuilder(full);
    }

    /**
     * Starts a chromedriver inside the namespace, accepting sessions from the host's end only, and
     * waits until it is ready. Browsers it starts live in the namespace too: their traffic to the host
     * crosses the shaped link; the WebDriver connection does too, as TCP, which the loss spares.
     *
     * @param log where its output goes
     */
    public Chromedriver startChromedriver(Path log) {
        int port = 9515; // the namespace is ours: any port is free in it
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process process = inside(List.of("/usr/bin/chromedriver", "--port=" + port,
                    "--allowed-ips=" + hostAddress.getHostAddress()))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            URL url = URI.create("http://" + peerAddress.getHostAddress() + ":" + port).toURL();
            awaitReady(process, url, log);
            return new Chromedriver(url, process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void awaitReady(Process process, URL url, Path log) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("chromedriver in the namespace exited with " + process.exitValue() + ", see " + log);
            }
            try {
                HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create(url + "/status"))
                        .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
                if (status.statusCode() == 200 && status.body().contains("\"ready\":true")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for chromedriver", e);
            }
            process.onExit().completeOnTimeout(null, 100, TimeUnit.MILLISECONDS).join();
        }
        process.destroyForcibly();
        throw new IllegalStateException("chromedriver in the namespace not ready at " + url + " within 20 s, see " + log);
    }

    /** A chromedriver running in the namespace; closing it ends the process. */
    public record Chromedriver(URL url, Process process) implements AutoCloseable {
        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    /** Removes the namespace (ending whatever still runs in it) and the pair. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<String> args = List.of("down", name);
        run(args).checked(args);
    }

    private record Result(int status, String output) {
        Result checked(List<String> args) {
            if (status != 0) {
                throw new IllegalStateException("netns-link.sh " + String.join(" ", args) + " exited with " + status + ": " + output.strip());
            }
            return this;
        }
    }

    private static Result run(List<String> args) {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("netns-link.sh " + String.join(" ", args) + " did not finish within " + COMMAND_TIMEOUT);
            }
            return new Result(process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running netns-link.sh", e);
        }
    }

    /** The key=value words of the script's {@code netns-link ...} line. */
    private static Map<String, String> report(Result result) {
        for (String line : result.output.split("\n")) {
            if (line.startsWith("netns-link ")) {
                Map<String, String> values = new HashMap<>();
                for (String word : line.substring("netns-link ".length()).trim().split(" +")) {
                    int eq = word.indexOf('=');
                    if (eq > 0) {
                        values.put(word.substring(0, eq), word.substring(eq + 1));
                    }
                }
                return values;
            }
        }
        throw new IllegalStateException("netns-link.sh printed no report: " + result.output.strip());
    }

    private static InetAddress address(String literal) {
        if (literal == null) {
            throw new IllegalStateException("netns-link.sh reported no address");
        }
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("not an address: " + literal, e);
        }
    }
}
