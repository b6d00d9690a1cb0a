package org.archipelago.server;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.core.JsonProcessingException;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The server's configuration: the embedded defaults ({@code config/archipelago.yaml}, documented key
 * by key there) with an operator's file laid over them.
 *
 * <p>Every mistake is reported as a {@link ConfigException} whose message names the key and what is
 * wrong with its value; unknown keys are errors so typos never pass silently.
 */
public record ServerConfig(Http http, Rooms rooms, Auth auth, Media media, Ice ice, Dtls dtls) {

    /** The resource name of the embedded default configuration. */
    public static final String DEFAULTS_RESOURCE = "/archipelago.yaml";

    public record Http(
            @JsonProperty("bindAddress") String bindAddress,
            @JsonProperty("port") int port,
            @JsonProperty("tlsCertificateFile") String tlsCertificateFile,
            @JsonProperty("tlsPrivateKeyFile") String tlsPrivateKeyFile,
            @JsonProperty("maxRequestBytes") int maxRequestBytes) {

        /** Whether HTTPS/WSS is configured. */
        public boolean tls() {
            return !blank(tlsCertificateFile);
        }
    }

    public record Rooms(@JsonProperty("maxRooms") int maxRooms) {
    }

    public record Auth(@JsonProperty("secret") String secret) {
        @Override
        public String toString() {
            return "Auth[secret=" + (secret == null || secret.isEmpty() ? "" : "(set)") + "]";
        }
    }

    public record Media(
            @JsonProperty("bindAddress") String bindAddress,
            @JsonProperty("port") int port,
            @JsonProperty("announcedAddresses") List<String> announcedAddresses,
            @JsonProperty("eventLoops") int eventLoops,
            @JsonProperty("socketBufferBytes") int socketBufferBytes,
            @JsonProperty("maxPeers") int maxPeers,
            @JsonProperty("retransmissionHistoryPackets") int retransmissionHistoryPackets,
            @JsonProperty("keyframes") Keyframes keyframes,
            @JsonProperty("impairment") Impairment impairment) {
    }

    /** How often a publisher may be asked for a key frame of one track, by layer. */
    public record Keyframes(@JsonProperty("lowLayerIntervalMs") int lowLayerIntervalMs,
                            @JsonProperty("highLayerIntervalMs") int highLayerIntervalMs) {
    }

    public record Impairment(@JsonProperty("enabled") boolean enabled, @JsonProperty("seed") long seed) {
    }

    public record Ice(@JsonProperty("consentTimeoutSeconds") int consentTimeoutSeconds,
                      @JsonProperty("connectTimeoutSeconds") int connectTimeoutSeconds) {
    }

    public record Dtls(
            @JsonProperty("certificateFile") String certificateFile,
            @JsonProperty("privateKeyFile") String privateKeyFile,
            @JsonProperty("handshakeTimeoutSeconds") int handshakeTimeoutSeconds) {
    }

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** The embedded defaults alone. */
    public static ServerConfig defaults() {
        return load(null);
    }

    /**
     * Loads the defaults, overlaid with {@code file} when it is not null.
     *
     * @throws ConfigException naming the file, key and problem
     */
    public static ServerConfig load(Path file) {
        ObjectNode merged = readDefaults();
        String source = "embedded defaults";
        if (file != null) {
            source = file.toString();
            JsonNode overlay;
            try {
                overlay = YAML.readTree(Files.readAllBytes(file));
            } catch (JsonProcessingException e) {
                throw new ConfigException(source + ": not valid YAML: " + e.getOriginalMessage()
                        + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""));
            } catch (IOException e) {
                throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
            }
            if (overlay != null && !overlay.isMissingNode() && !overlay.isNull()) {
                if (!overlay.isObject()) {
                    throw new ConfigException(source + ": the top level must be a mapping of sections (http, rooms, auth, media, ice, dtls)");
                }
                merge(merged, (ObjectNode) overlay, "");
            }
        }
        ServerConfig config;
        try {
            config = YAML.treeToValue(merged, ServerConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException(source + ": unknown key '" + path(e) + "'");
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": bad value for '" + path(e) + "': " + e.getOriginalMessage());
        }
        config.validate(source);
        return config;
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException mapping) {
            StringBuilder sb = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference ref : mapping.getPath()) {
                if (ref.getFieldName() != null) {
                    if (!sb.isEmpty()) {
                        sb.append('.');
                    }
                    sb.append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    sb.append('[').append(ref.getIndex()).append(']');
                }
            }
            return sb.toString();
        }
        return "?";
    }

    private static ObjectNode readDefaults() {
        try (InputStream in = ServerConfig.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("embedded default configuration " + DEFAULTS_RESOURCE + " is missing from the jar");
            }
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException("embedded default configuration is unreadable", e);
        }
    }

    /** Lays {@code overlay} over {@code base}: mappings merge key by key, anything else replaces. */
    private static void merge(ObjectNode base, ObjectNode overlay, String prefix) {
        Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String key = prefix + field.getKey();
            JsonNode existing = base.get(field.getKey());
            if (existing == null) {
                throw new ConfigException("unknown key '" + key + "'");
            }
            if (existing.isObject() && field.getValue().isObject()) {
                merge((ObjectNode) existing, (ObjectNode) field.getValue(), key + ".");
            } else if (existing.isObject()) {
                throw new ConfigException("'" + key + "' must be a mapping");
            } else {
                base.set(field.getKey(), field.getValue());
            }
        }
    }

    private void validate(String source) {
        requireRange(source, "http.port", http.port(), 0, 65535);
        requireRange(source, "http.maxRequestBytes", http.maxRequestBytes(), 4096, 16 << 20);
        requireRange(source, "rooms.maxRooms", rooms.maxRooms(), 1, 100_000);
        InetAddress httpBind = address(source, "http.bindAddress", http.bindAddress());
        boolean hasSecret = !blank(auth.secret());
        if (hasSecret && auth.secret().length() < 32) {
            throw new ConfigException(source + ": 'auth.secret' must be at least 32 characters (it signs join tokens)");
        }
        requireRange(source, "media.port", media.port(), 0, 65535);
        requireRange(source, "media.eventLoops", media.eventLoops(), 0, 256);
        requireRange(source, "media.socketBufferBytes", media.socketBufferBytes(), 65536, 1 << 28);
        requireRange(source, "media.maxPeers", media.maxPeers(), 1, 1_000_000);
        requireRange(source, "media.retransmissionHistoryPackets", media.retransmissionHistoryPackets(), 1, 32768);
        if (Integer.bitCount(media.retransmissionHistoryPackets()) != 1) {
            throw new ConfigException(source + ": 'media.retransmissionHistoryPackets' must be a power of two, got "
                    + media.retransmissionHistoryPackets());
        }
        requireRange(source, "media.keyframes.lowLayerIntervalMs", media.keyframes().lowLayerIntervalMs(), 50, 10_000);
        requireRange(source, "media.keyframes.highLayerIntervalMs", media.keyframes().highLayerIntervalMs(), 50, 10_000);
        requireRange(source, "ice.consentTimeoutSeconds", ice.consentTimeoutSeconds(), 5, 3600);
        requireRange(source, "ice.connectTimeoutSeconds", ice.connectTimeoutSeconds(), 5, 3600);
        requireRange(source, "dtls.handshakeTimeoutSeconds", dtls.handshakeTimeoutSeconds(), 1, 600);
        InetAddress bind = address(source, "media.bindAddress", media.bindAddress());
        List<String> announced = media.announcedAddresses() == null ? List.of() : media.announcedAddresses();
        for (int i = 0; i < announced.size(); i++) {
            InetAddress a = address(source, "media.announcedAddresses[" + i + "]", announced.get(i));
            if (a.isAnyLocalAddress()) {
                throw new ConfigException(source + ": 'media.announcedAddresses[" + i + "]' is a wildcard address; announce an address peers can reach");
            }
        }
        if (bind.isAnyLocalAddress() && announced.size() != 1) {
            throw new ConfigException(source + ": 'media.bindAddress' is the wildcard " + media.bindAddress()
                    + ", so 'media.announcedAddresses' must list exactly one address, the one peers reach this server at"
                    + " (to announce several, bind to a specific address)");
        }
        if (!hasSecret && (!httpBind.isLoopbackAddress() || !bind.isLoopbackAddress())) {
            throw new ConfigException(source + ": the server listens beyond loopback ('"
                    + (!httpBind.isLoopbackAddress() ? "http.bindAddress" : "media.bindAddress")
                    + "'), so 'auth.secret' must be set: joins from other machines need signed tokens");
        }
        if (blank(http.tlsCertificateFile()) != blank(http.tlsPrivateKeyFile())) {
            throw new ConfigException(source + ": 'http.tlsCertificateFile' and 'http.tlsPrivateKeyFile' must be given together");
        }
        boolean hasCert = !blank(dtls.certificateFile());
        boolean hasKey = !blank(dtls.privateKeyFile());
        if (hasCert != hasKey) {
            throw new ConfigException(source + ": 'dtls.certificateFile' and 'dtls.privateKeyFile' must be given together");
        }
    }

    private static void requireRange(String source, String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigException(source + ": '" + key + "' must be between " + min + " and " + max + ", got " + value);
        }
    }

    private static InetAddress address(String source, String key, String value) {
        if (blank(value)) {
            throw new ConfigException(source + ": '" + key + "' must be an IP address");
        }
        if (!value.matches("[0-9a-fA-F:.%]+")) {
            // Only literal addresses: a host name would make start-up depend on DNS.
            throw new ConfigException(source + ": '" + key + "' must be a literal IP address, got '" + value + "'");
        }
        try {
            return InetAddress.getByName(value);
        } catch (UnknownHostException e) {
            throw new ConfigException(source + ": '" + key + "' is not a valid IP address: '" + value + "'");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** The bind address, parsed (validated at load). */
    public InetAddress mediaBindAddress() {
        return address("config", "media.bindAddress", media.bindAddress());
    }

    /** The addresses to announce as host candidates: the configured list, or the bind address. */
    public List<InetAddress> mediaAnnouncedAddresses() {
        List<String> announced = media.announcedAddresses() == null ? List.of() : media.announcedAddresses();
        if (announced.isEmpty()) {
            return List.of(mediaBindAddress());
        }
        return announced.stream().map(a -> address("config", "media.announcedAddresses", a)).toList();
    }

    /** The HTTP bind address, parsed (validated at load). */
    public InetAddress httpBindAddress() {
        return address("config", "http.bindAddress", http.bindAddress());
    }

    /** Whether anything listens beyond loopback (then joins need signed tokens). */
    public boolean exposedBeyondLoopback() {
        return !mediaBindAddress().isLoopbackAddress() || !httpBindAddress().isLoopbackAddress();
    }
}
