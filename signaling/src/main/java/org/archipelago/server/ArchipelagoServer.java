package org.archipelago.server;

import org.archipelago.media.dtls.DtlsCertificate;
import org.archipelago.media.dtls.DtlsTransportConfig;
import org.archipelago.media.peer.MediaEngine;
import org.archipelago.media.router.KeyframeRequester;
import org.archipelago.media.router.KeyframeThrottle;
import org.archipelago.media.transport.UdpTransport;
import org.archipelago.server.auth.JoinTokens;
import org.archipelago.server.http.HttpRequestHandler;
import org.archipelago.server.http.HttpServer;
import org.archipelago.server.http.SignalingSocket;
import org.archipelago.server.http.StaticPages;
import org.archipelago.server.lesson.Lessons;

import io.netty.handler.ssl.SslContext;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The running server: the media engine on its UDP port, the lessons, and the HTTP port (WHIP/WHEP).
 * Built from a validated {@link ServerConfig}.
 */
public final class ArchipelagoServer implements AutoCloseable {
    private final ServerConfig config;
    private final MediaEngine media;
    private final Lessons lessons;
    private final HttpServer http;

    private ArchipelagoServer(ServerConfig config, MediaEngine media, Lessons lessons, HttpServer http) {
        this.config = config;
        this.media = media;
        this.lessons = lessons;
        this.http = http;
    }

    /**
     * Starts everything the configuration describes.
     *
     * @throws ConfigException when a configured file cannot be used (e.g. the DTLS certificate)
     */
    public static ArchipelagoServer start(ServerConfig config) throws InterruptedException {
        MediaEngine media = MediaEngine.start(mediaOptions(config));
        try {
            Lessons lessons = new Lessons(media, config.rooms().maxRooms(), keyframeThrottle(config));
            JoinTokens tokens = new JoinTokens(config.auth().secret());
            StaticPages pages = new StaticPages();
            HttpServer http = HttpServer.start(config.httpBindAddress(), config.http().port(), config.http().maxRequestBytes(),
                    tls(config.http()),
                    pipeline -> {
                        SignalingSocket.install(pipeline, lessons, tokens);
                        pipeline.addLast(new HttpRequestHandler(lessons, tokens, pages));
                    });
            return new ArchipelagoServer(config, media, lessons, http);
        } catch (RuntimeException | InterruptedException e) {
            media.close();
            throw e;
        }
    }

    /** One line for the log: where the server listens and how exposed it is. */
    public String describe() {
        return (config.http().tls() ? "https " : "http ") + http.localAddress() + ", media udp " + media.transport().localAddress() + " (" + (media.transport().isNative() ? "epoll" : "nio")
                + "), " + (config.exposedBeyondLoopback() ? "reachable beyond loopback" : "loopback only");
    }

    static MediaEngine.Options mediaOptions(ServerConfig config) {
        ServerConfig.Media media = config.media();
        int loops = media.eventLoops() == 0 ? Runtime.getRuntime().availableProcessors() : media.eventLoops();
        UdpTransport.Options udp = new UdpTransport.Options(config.mediaBindAddress(), media.port(), loops,
                media.socketBufferBytes(), true);
        DtlsTransportConfig dtls = DtlsTransportConfig.defaults()
                .withHandshakeTimeout(Duration.ofSeconds(config.dtls().handshakeTimeoutSeconds()));
        MediaEngine.Options options = new MediaEngine.Options(udp, config.mediaAnnouncedAddresses(), media.maxPeers(),
                Duration.ofSeconds(config.ice().consentTimeoutSeconds()),
                Duration.ofSeconds(config.ice().connectTimeoutSeconds()),
                dtls, certificate(config.dtls()))
                .withRetransmissionHistorySize(media.retransmissionHistoryPackets());
        return media.impairment().enabled() ? options.withImpairment(media.impairment().seed()) : options;
    }

    static KeyframeThrottle keyframeThrottle(ServerConfig config) {
        ServerConfig.Keyframes keyframes = config.media().keyframes();
        return new KeyframeThrottle(TimeUnit.MILLISECONDS.toNanos(keyframes.lowLayerIntervalMs()),
                TimeUnit.MILLISECONDS.toNanos(keyframes.highLayerIntervalMs()), KeyframeRequester.DEFAULT_MAX_RETRIES);
    }

    private static SslContext tls(ServerConfig.Http http) {
        if (!http.tls()) {
            return null;
        }
        try {
            return HttpServer.tls(new File(http.tlsCertificateFile()), new File(http.tlsPrivateKeyFile()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("'http.tlsCertificateFile'/'http.tlsPrivateKeyFile': " + e.getMessage());
        }
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

    public Lessons lessons() {
        return lessons;
    }

    /** Where the HTTP server listens (WHIP at /whip/{room}, WHEP at /whep/{room}). */
    public InetSocketAddress httpAddress() {
        return http.localAddress();
    }

    public ServerConfig config() {
        return config;
    }

    @Override
    public void close() {
        http.close();
        media.close();
    }
}
