package org.archipelago.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The command line: {@code java -jar archipelago.jar [--config FILE]}.
 *
 * <p>Starts the server with the embedded defaults overlaid by {@code FILE}, and stops it cleanly on
 * SIGTERM or Ctrl-C (a JVM shutdown hook). Mistakes in arguments or configuration print one clear
 * line and exit with status 2.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    /** Counted down by the shutdown hook once the server has stopped. */
    private static final CountDownLatch STOPPED = new CountDownLatch(1);

    static final String USAGE = """
            Usage: archipelago [--config FILE]

              --config FILE   YAML configuration laid over the embedded defaults
                              (see config/archipelago.yaml for every key)
              --print-config  print the embedded default configuration and exit
              --help          show this help and exit
            """;

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        // jitsi-srtp logs through java.util.logging: route it to SLF4J, one format for operators.
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        int status = run(args, System.out, System.err);
        if (status >= 0) {
            System.exit(status);
        }
        // The media and signaling threads are daemons: main holds the JVM up until the shutdown
        // hook has stopped the server.
        STOPPED.await();
    }

    /**
     * Runs the command line.
     *
     * @return an exit status to exit with now, or -1 when the server is running (it then stops on
     *         SIGTERM through the shutdown hook)
     */
    static int run(String[] args, PrintStream out, PrintStream err) {
        Path configFile = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return 0;
                }
                case "--print-config" -> {
                    try (var in = Main.class.getResourceAsStream(ServerConfig.DEFAULTS_RESOURCE)) {
                        out.print(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
                        return 0;
                    } catch (java.io.IOException | NullPointerException e) {
                        err.println("archipelago: the embedded configuration is unreadable: " + e);
                        return 1;
                    }
                }
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        err.println("archipelago: --config needs a file name");
                        err.print(USAGE);
                        return 2;
                    }
                    configFile = Path.of(args[++i]);
                    if (!Files.isRegularFile(configFile)) {
                        err.println("archipelago: configuration file " + configFile + " does not exist or is not a file");
                        return 2;
                    }
                }
                default -> {
                    err.println("archipelago: unknown argument '" + args[i] + "'");
                    err.print(USAGE);
                    return 2;
                }
            }
        }

        ServerConfig config;
        try {
            config = ServerConfig.load(configFile);
        } catch (ConfigException e) {
            err.println("archipelago: configuration error: " + e.getMessage());
            return 2;
        }

        // The hook is in place before the server starts, so a SIGTERM at any moment after the
        // "started" line stops it cleanly.
        AtomicReference<ArchipelagoServer> running = new AtomicReference<>();
        Thread hook = new Thread(() -> {
            ArchipelagoServer server = running.getAndSet(null);
            if (server != null) {
                LOG.info("Shutdown requested; stopping");
                server.close();
                LOG.info("Archipelago stopped");
            }
            STOPPED.countDown();
        }, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            ArchipelagoServer server = ArchipelagoServer.start(config);
            running.set(server);
            LOG.info("Archipelago started: {}", server.describe());
        } catch (ConfigException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            err.println("archipelago: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            LOG.error("Archipelago failed to start", e);
            return 1;
        }
        return -1;
    }
}
