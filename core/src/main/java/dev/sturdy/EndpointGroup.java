package dev.sturdy;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A logical service mapped to several endpoints (replicas): requests to {@link #service()}, e.g.
 * {@code http://orders}, are sent to one of its {@link #members()}, e.g. {@code http://127.0.0.1:8081}
 * and {@code http://127.0.0.1:8082}. Each attempt picks a member that is not ejected, by
 * {@link #loadBalancing()}; a retry prefers a member not yet tried in the same call (Envoy's
 * {@code previous_hosts}). With a {@link CircuitBreakerPolicy}, members are ejected on errors and
 * {@link CircuitBreakerPolicy#maxEjectionPercent()} caps how many are ejected at once; an optional
 * {@link #healthCheck()} probes members actively. When every member is ejected, calls fail fast with
 * {@link EndpointEjectedException}.
 *
 * <p>A member is where to connect; the requests keep the service's name: it is their {@code Host}
 * header and, with an {@code https} member, the TLS server name (SNI) and the name the member's
 * certificate must carry (as Envoy's {@code auto_sni} and {@code auto_san_validation}). Health probes
 * carry it the same way.
 *
 * <p>The service and each member are {@code scheme://host[:port]}: scheme {@code http} or
 * {@code https}, a host, an optional port (the scheme's default port is made explicit, so
 * {@code http://orders} is stored as {@code http://orders:80}), and nothing else: no path (a lone
 * {@code /} is dropped), query, fragment or user-info. Scheme and host are lower-cased. A group has
 * at least one and at most {@link #MAX_MEMBERS} members, without duplicates.
 *
 * <table>
 *   <caption>Fields and defaults</caption>
 *   <tr><th>field</th><th>default</th></tr>
 *   <tr><td>{@link #service()}</td><td>required</td></tr>
 *   <tr><td>{@link #members()}</td><td>required, 1 to 64</td></tr>
 *   <tr><td>{@link #loadBalancing()}</td><td>{@link LoadBalancing#ROUND_ROBIN}</td></tr>
 *   <tr><td>{@link #healthCheck()}</td><td>none (only passive ejection)</td></tr>
 * </table>
 *
 * <p>Thread-safety: immutable and thread-safe; the per-member state lives in the client. The
 * {@link Builder} is not thread-safe.
 */
public final class EndpointGroup {

    /**
     * Most members one group may have: {@value}. The engine tracks the members a call has tried in one
     * {@code long} bit mask, so each pick is allocation-free.
     */
    public static final int MAX_MEMBERS = 64;
    /** Default way of picking a member: {@link LoadBalancing#ROUND_ROBIN}. */
    public static final LoadBalancing DEFAULT_LOAD_BALANCING = LoadBalancing.ROUND_ROBIN;
    /** Default health check: none, members are ejected only on the errors of real requests. */
    public static final Optional<HealthCheckPolicy> DEFAULT_HEALTH_CHECK = Optional.empty();

    private static final String ENDPOINT_FORM = "scheme://host[:port]";

    /** How an attempt picks one of the members that are not ejected. */
    public enum LoadBalancing {
        /** Each member in turn (Envoy {@code ROUND_ROBIN}). */
        ROUND_ROBIN,
        /**
         * The member with the fewest requests in flight from this client; ties are broken in
         * round-robin order (Envoy {@code LEAST_REQUEST}, comparing every member instead of two random ones).
         */
        LEAST_OUTSTANDING
    }

    private final URI service;
    private final List<URI> members;
    private final LoadBalancing loadBalancing;
    private final HealthCheckPolicy healthCheck; // null = none

    private EndpointGroup(Builder builder) {
        this.service = builder.service;
        this.members = Collections.unmodifiableList(new ArrayList<>(builder.members));
        this.loadBalancing = builder.loadBalancing;
        this.healthCheck = builder.healthCheck;
    }

    /**
     * Returns a group with the given members and every other field at its default.
     *
     * @param service the logical service, {@code scheme://host[:port]}, e.g. {@code http://orders}
     * @param members the member base URIs, {@code scheme://host[:port]} each
     * @return the group
     * @throws IllegalArgumentException if the service or a member is malformed, a member repeats or
     *                                  there are more than {@link #MAX_MEMBERS}
     * @throws IllegalStateException    if there is no member
     */
    public static EndpointGroup of(String service, String... members) {
        return builder(service).members(members).build();
    }

    /**
     * Returns a builder for the given service, with no member and every other field at its default.
     *
     * @param service the logical service, {@code scheme://host[:port]}, e.g. {@code http://orders}
     * @return a new builder
     * @throws IllegalArgumentException if the service is malformed
     */
    public static Builder builder(String service) {
        return new Builder().service(service);
    }

    /**
     * Returns a builder holding this group's values, to derive a changed copy.
     *
     * @return a new builder initialised from this group
     */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Returns the logical service whose requests this group serves.
     *
     * @return {@code scheme://host:port} with the port explicit, e.g. {@code http://orders:80}
     */
    public URI service() {
        return service;
    }

    /**
     * Returns the members, in the order they were added.
     *
     * @return an unmodifiable list of 1 to {@link #MAX_MEMBERS} distinct {@code scheme://host:port} URIs
     */
    public List<URI> members() {
        return members;
    }

    /**
     * Returns how an attempt picks a member.
     *
     * @return the load balancing; default {@link LoadBalancing#ROUND_ROBIN}
     */
    public LoadBalancing loadBalancing() {
        return loadBalancing;
    }

    /**
     * Returns the active health check of the members, if any.
     *
     * @return the health check policy, or empty (the default) for passive ejection only
     */
    public Optional<HealthCheckPolicy> healthCheck() {
        return Optional.ofNullable(healthCheck);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EndpointGroup)) {
            return false;
        }
        EndpointGroup that = (EndpointGroup) o;
        return service.equals(that.service)
                && members.equals(that.members)
                && loadBalancing == that.loadBalancing
                && Objects.equals(healthCheck, that.healthCheck);
    }

    @Override
    public int hashCode() {
        return Objects.hash(service, members, loadBalancing, healthCheck);
    }

    @Override
    public String toString() {
        return "EndpointGroup{service=" + service
                + ", members=" + members
                + ", loadBalancing=" + loadBalancing
                + ", healthCheck=" + (healthCheck == null ? "none" : healthCheck)
                + '}';
    }

    /**
     * Parses and normalises {@code scheme://host[:port]}, refusing anything more.
     *
     * @param field the field named in the message
     * @param value the URI as given
     * @return {@code scheme://host:port}, lower-cased, port explicit
     */
    static URI endpointUri(String field, String value) {
        Check.notNull(value, field);
        final URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw Check.argument(field, Check.quote(value), ENDPOINT_FORM);
        }
        if (uri.getRawUserInfo() != null) {
            // Never echo credentials, not even in a configuration error.
            throw Check.argument(field, Check.quote(value.replace(uri.getRawUserInfo() + "@", "***@")),
                    "no user-info");
        }
        final String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw Check.argument(field, Check.quote(value), "scheme http or https in " + ENDPOINT_FORM);
        }
        if (uri.isOpaque() || uri.getHost() == null) {
            throw Check.argument(field, Check.quote(value), "a valid host in " + ENDPOINT_FORM);
        }
        final String path = uri.getRawPath();
        if (path != null && !path.isEmpty() && !"/".equals(path)) {
            throw Check.argument(field, Check.quote(value), "no path in " + ENDPOINT_FORM);
        }
        if (uri.getRawQuery() != null) {
            throw Check.argument(field, Check.quote(value), "no query in " + ENDPOINT_FORM);
        }
        if (uri.getRawFragment() != null) {
            throw Check.argument(field, Check.quote(value), "no fragment in " + ENDPOINT_FORM);
        }
        int port = uri.getPort();
        if (port == -1) {
            port = "https".equals(scheme) ? 443 : 80;
        } else if (port < 1 || port > 65535) {
            throw Check.argument(field, Check.quote(value), "port in [1, 65535]");
        }
        try {
            return new URI(scheme, null, uri.getHost().toLowerCase(Locale.ROOT), port, null, null, null);
        } catch (URISyntaxException e) {
            throw Check.argument(field, Check.quote(value), ENDPOINT_FORM);
        }
    }

    /**
     * Builds an {@link EndpointGroup}. Setters check their own argument at once
     * ({@link IllegalArgumentException}, or {@link NullPointerException} for null); {@link #build()}
     * checks what needs the whole group ({@link IllegalStateException}), so setter order never matters.
     *
     * <p>Thread-safety: not thread-safe; use one builder from one thread.
     */
    public static final class Builder {

        private URI service;
        private final List<URI> members = new ArrayList<>();
        private LoadBalancing loadBalancing = DEFAULT_LOAD_BALANCING;
        private HealthCheckPolicy healthCheck;

        private Builder() {
        }

        private Builder(EndpointGroup group) {
            this.service = group.service;
            this.members.addAll(group.members);
            this.loadBalancing = group.loadBalancing;
            this.healthCheck = group.healthCheck;
        }

        /**
         * Sets the logical service whose requests the group serves.
         *
         * @param service {@code scheme://host[:port]}, e.g. {@code http://orders}; required
         * @return this builder
         * @throws IllegalArgumentException if it is not {@code http(s)://host[:port]}
         */
        public Builder service(String service) {
            this.service = endpointUri("service", service);
            return this;
        }

        /**
         * Adds a member.
         *
         * @param member a base URI {@code scheme://host[:port]}, e.g. {@code http://127.0.0.1:8081}
         * @return this builder
         * @throws IllegalArgumentException if malformed, already a member, or the group already has
         *                                  {@link #MAX_MEMBERS} members
         */
        public Builder member(String member) {
            final URI uri = endpointUri("member", member);
            if (members.contains(uri)) {
                throw Check.argument("member", Check.quote(member), "not already a member");
            }
            if (members.size() >= MAX_MEMBERS) {
                throw Check.argument("members", members.size() + 1, "<= " + MAX_MEMBERS);
            }
            members.add(uri);
            return this;
        }

        /**
         * Adds a member.
         *
         * @param member a base URI {@code scheme://host[:port]}
         * @return this builder
         * @throws IllegalArgumentException as {@link #member(String)}
         */
        public Builder member(URI member) {
            return member(Check.notNull(member, "member").toString());
        }

        /**
         * Replaces the members.
         *
         * @param members base URIs {@code scheme://host[:port]}, distinct, at most {@link #MAX_MEMBERS}
         * @return this builder
         * @throws IllegalArgumentException as {@link #member(String)}; the builder's members are then unchanged
         */
        public Builder members(String... members) {
            Check.notNull(members, "members");
            final List<URI> before = new ArrayList<>(this.members);
            this.members.clear();
            try {
                for (String member : members) {
                    member(member);
                }
            } catch (RuntimeException e) {
                this.members.clear();
                this.members.addAll(before);
                throw e;
            }
            return this;
        }

        /**
         * Sets how an attempt picks a member.
         *
         * @param loadBalancing the load balancing; default {@link LoadBalancing#ROUND_ROBIN}
         * @return this builder
         */
        public Builder loadBalancing(LoadBalancing loadBalancing) {
            this.loadBalancing = Check.notNull(loadBalancing, "loadBalancing");
            return this;
        }

        /**
         * Turns on active health checks of the members.
         *
         * @param healthCheck the health check policy; default none
         * @return this builder
         */
        public Builder healthCheck(HealthCheckPolicy healthCheck) {
            this.healthCheck = Check.notNull(healthCheck, "healthCheck");
            return this;
        }

        /**
         * Turns active health checks off (the default).
         *
         * @return this builder
         */
        public Builder noHealthCheck() {
            this.healthCheck = null;
            return this;
        }

        /**
         * Checks the group is complete and returns it.
         *
         * @return the immutable group
         * @throws IllegalStateException if it has no member
         */
        public EndpointGroup build() {
            if (members.isEmpty()) {
                throw Check.state("members", members, "at least one member");
            }
            return new EndpointGroup(this);
        }
    }
}
