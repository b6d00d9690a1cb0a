package org.archipelago.server;

import org.archipelago.media.dtls.DtlsCertificate;
import org.archipelago.media.dtls.DtlsTransportConfig;
import org.archipelago.media.peer.MediaEngine;
import org.archipelago.media.transport.UdpTransport;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The running server: today the media engine on its UDP port; signaling joins it with the
 * classroom issue. Built from a validated {@link ServerConfig}.
 */
public final class ArchipelagoServer implements AutoCloseable {
    private final ServerConfig config;
    private final MediaEngine media;

    private ArchipelagoServer(ServerConfig config, MediaEngine media) {
        this.config = config;
        this.media = media;
    }

    /**
     * Starts everything the configuration describes.
     *
     * @throws ConfigException when a configured file cannot be used (e.g. the DTLS certificate)
     */
    public static ArchipelagoServer start(ServerConfig config) throws InterruptedException {
        MediaEngine media = MediaEngine.start(mediaOptions(config));
        return new ArchipelagoServer(config, media);
    }

    /** One line for the log: where the server listens and how exposed it is. */
    public String describe() {
        return "media udp " + media.transport().localAddress() + " (" + (media.transport().isNative() ? "epoll" : "nio")
                + "), " + (config.exposedBeyondLoopback() ? "reachable beyond loopback" : "loopback only");
    }

    static MediaEngine.Options mediaOptions(ServerConfig config) {
        ServerConfig.Media media = config.media();
        int loops = media.eventLoops() == 0 ? Runtime.getRuntime().availableProcessors() : media.eventLoops();
        UdpTransport.Options udp = new UdpTransport.Options(config.mediaBindAddress(), media.port(), loops,
                media.socketBufferBytes(), true);
        DtlsTransportConfig dtls = DtlsTransportConfig.defaults()
                .withHandshakeTimeout(Duration.ofSeconds(config.dtls().handshakeTimeoutSeconds()));
        return new MediaEngine.Options(udp, config.mediaAnnouncedAddresses(), media.maxPeers(),
                Duration.ofSeconds(config.ice().consentTimeoutSeconds()),
                Duration.ofSeconds(config.ice().connectTimeoutSeconds()),
                dtls, certificate(config.dtls()));
    }

    private static DtlsCertificate certificate(ServerConfig.Dtls dtls) {
        if (dtls.certificateFile() == null || dtls.certificateFile().isBlank()) {
            return null;
        }
        try {
            return DtlsCertificate.load(Path.of(dtls.certificateFile()), Path.of(dtls.privateKeyFile()));
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("cannot use the DTLS certificate 'dtls.certificateFile' " + dtls.certificateFile()
                    + " with 'dtls.privateKeyFile' " + dtls.privateKeyFile() + ": " + e.getMessage());
        }
    }

    public MediaEngine media() {
        return media;
    }

    public ServerConfig config() {
        return config;
    }

    @Override
    public void close() {
        media.close();
    }
}
