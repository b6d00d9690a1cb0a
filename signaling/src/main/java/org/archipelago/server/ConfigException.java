package org.archipelago.server;

/** A configuration or command-line mistake, with a message meant for the operator. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }
}
