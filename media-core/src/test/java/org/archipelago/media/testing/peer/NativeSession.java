package org.archipelago.media.testing.peer;

import io.netty.channel.EventLoop;
import org.archipelago.media.dtls.DtlsCertificate;
import org.archipelago.media.peer.MediaEngine;
import org.archipelago.media.peer.PeerConnection;
import org.archipelago.media.rtp.RtpPacket;
import org.archipelago.media.sdp.NegotiatedMedia;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A media engine on loopback with one {@link NativeTestPeer} connected to it (ICE, DTLS, SRTP
 * done): the starting point of the tests that look at one leg in detail. More clients can join
 * the same engine ({@link #connectAnother}) for tests that watch one leg while another misbehaves.
 */
public final class NativeSession implements AutoCloseable {
    /** One more connected client and the server's side of it. */
    public record Leg(NativeTestPeer client, PeerConnection server) {
        /** Runs {@code task} on the server side's loop and returns its result. */
        public <T> T onLoop(Callable<T> task) {
            return NativeSession.onLoop(server, task);
        }
    }

    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** One certificate for every session: making a key pair per test costs time and proves nothing. */
    private static final DtlsCertificate CLIENT_CERTIFICATE = DtlsCertificate.generate();

    private final MediaEngine engine;
    private final NativeTestPeer client;
    private final PeerConnection server;
    private final List<NativeTestPeer> others = new ArrayList<>();

    private NativeSession(MediaEngine engine, NativeTestPeer client, PeerConnection server) {
        this.engine = engine;
        this.client = client;
        this.server = server;
    }

    /** Connects a client; {@code listener} sees the server side's events (connected is awaited here). */
    public static NativeSession connect(PeerConnection.Listener listener) throws Exception {
        MediaEngine engine = MediaEngine.start(MediaEngine.Options.loopback(0));
        try {
            Leg leg = connectClient(engine, null, listener);
            return new NativeSession(engine, leg.client(), leg.server());
        } catch (Exception | AssertionError e) {
            engine.close();
            throw e;
        }
    }

    /**
     * Connects one more client to this session's engine, its server side on {@code loop} (null:
     * the engine's choice); closed with the session.
     */
    public Leg connectAnother(EventLoop loop, PeerConnection.Listener listener) throws Exception {
        Leg leg = connectClient(engine, loop, listener);
        others.add(leg.client());
        return leg;
    }

    private static Leg connectClient(MediaEngine engine, EventLoop loop, PeerConnection.Listener listener) throws Exception {
        NativeTestPeer client = null;
        try {
            client = NativeTestPeer.open(NativeTestPeer.Options.defaults().withCertificate(CLIENT_CERTIFICATE));
            CompletableFuture<PeerConnection> connected = new CompletableFuture<>();
            PeerConnection.Listener forwarding = new PeerConnection.Listener() {
                @Override
                public void onConnected(PeerConnection peer) {
                    listener.onConnected(peer);
                    connected.complete(peer);
                }

                @Override
                public void onRtp(PeerConnection peer, NegotiatedMedia media, RtpPacket packet, boolean recovered, long nowNanos) {
                    listener.onRtp(peer, media, packet, recovered, nowNanos);
                }

                @Override
                public void onKeyframeRequest(PeerConnection peer, long mediaSsrc, long nowNanos) {
                    listener.onKeyframeRequest(peer, mediaSsrc, nowNanos);
                }

                @Override
                public void onClosed(PeerConnection peer, String reason) {
                    listener.onClosed(peer, reason);
                }
            };
            PeerConnection server = loop == null
                    ? engine.createPeer(client.offer(), forwarding)
                    : engine.createPeer(client.offer(), loop, forwarding);
            client.connect(server.answer().toSdp());
            client.awaitConnected(TIMEOUT);
            connected.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new Leg(client, server);
        } catch (Exception | AssertionError e) {
            if (client != null) {
                client.close();
            }
            throw e;
        }
    }

    /** Connects a client whose server-side events nobody needs. */
    public static NativeSession connect() throws Exception {
        return connect(new PeerConnection.Listener() {
        });
    }

    public MediaEngine engine() {
        return engine;
    }

    public NativeTestPeer client() {
        return client;
    }

    /** The server's side of the connection. */
    public PeerConnection server() {
        return server;
    }

    /** Runs {@code task} on the server peer's loop, where its state lives, and returns its result. */
    public <T> T onLoop(Callable<T> task) {
        return onLoop(server, task);
    }

    private static <T> T onLoop(PeerConnection peer, Callable<T> task) {
        try {
            return peer.eventLoop().submit(task).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        for (NativeTestPeer other : others) {
            other.close();
        }
        client.close();
        engine.close();
    }
}
