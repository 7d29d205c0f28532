package dev.sturdy.internal.ejection;

import dev.sturdy.EndpointEjectedException;
import dev.sturdy.EndpointGroup;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Picks the member of an {@link EndpointGroup} each attempt goes to (SPEC 6). Created by
 * {@link OutlierDetector#group(EndpointGroup, List)}; one per group per client.
 *
 * <p>A pick considers only members that are not ejected, and among them prefers members the call has
 * not tried yet (Envoy's {@code previous_hosts} retry predicate): the caller keeps a {@code long} bit
 * mask of the member indexes it has tried ({@code tried |= 1L << index}), which is why a group has at
 * most {@link EndpointGroup#MAX_MEMBERS} members. If every admitted member has been tried, any admitted
 * member may be picked again. {@link EndpointGroup.LoadBalancing#ROUND_ROBIN} takes the candidates in
 * turn (one shared counter); {@link EndpointGroup.LoadBalancing#LEAST_OUTSTANDING} takes the candidate
 * with the fewest requests in flight, ties broken in round-robin order. A pick allocates nothing.
 *
 * <p>The selector is also the lock of its members' ejection state, so the group's share of ejected
 * members ({@code maxEjectionPercent}, at least one) is decided atomically.
 *
 * <p>Thread-safety: thread-safe.
 */
public final class EndpointSelector {

    /** What {@link #select(long, long)} returns when every member is ejected. */
    public static final int NONE = -1;

    private final OutlierDetector detector;
    private final EndpointGroup group;
    private final String name;
    private final EndpointState[] members;
    private final boolean leastOutstanding;
    private final AtomicInteger next = new AtomicInteger();
    /** Most members ejected at once: max(1, floor(maxEjectionPercent x members / 100)). */
    final int maxEjected;

    EndpointSelector(OutlierDetector detector, EndpointGroup group, List<?> keys, int maxEjected, long nowNanos) {
        this.detector = detector;
        this.group = group;
        this.name = group.service().toString();
        this.maxEjected = maxEjected;
        this.leastOutstanding = group.loadBalancing() == EndpointGroup.LoadBalancing.LEAST_OUTSTANDING;
        this.members = new EndpointState[keys.size()];
        for (int i = 0; i < members.length; i++) {
            members[i] = new EndpointState(keys.get(i), this, i, nowNanos);
        }
    }

    /**
     * Picks the member for one attempt.
     *
     * @param tried    bit i set when member i was already tried in this call ({@code 0} for a first attempt)
     * @param nowNanos {@link dev.sturdy.internal.runtime.Ticker#nanoTime()} now
     * @return the member's index, or {@link #NONE} when every member is ejected (then throw
     *         {@link #ejectedException(long)})
     */
    public int select(long tried, long nowNanos) {
        final EndpointState[] m = members;
        long admitted = 0;
        for (int i = 0; i < m.length; i++) {
            if (!detector.isEjected(m[i], nowNanos)) {
                admitted |= 1L << i;
            }
        }
        if (admitted == 0) {
            return NONE;
        }
        long candidates = admitted & ~tried;
        if (candidates == 0) {
            candidates = admitted;
        }
        if (Long.bitCount(candidates) == 1) {
            return Long.numberOfTrailingZeros(candidates);
        }
        return leastOutstanding ? leastOutstanding(candidates) : roundRobin(candidates);
    }

    private int roundRobin(long candidates) {
        final int r = Math.floorMod(next.getAndIncrement(), Long.bitCount(candidates));
        for (int j = 0; j < r; j++) {
            candidates &= candidates - 1; // drop the lowest candidate
        }
        return Long.numberOfTrailingZeros(candidates);
    }

    private int leastOutstanding(long candidates) {
        final int n = members.length;
        final int start = Math.floorMod(next.getAndIncrement(), n);
        int best = NONE;
        int bestOutstanding = Integer.MAX_VALUE;
        for (int j = 0; j < n; j++) {
            final int i = start + j < n ? start + j : start + j - n;
            if ((candidates & (1L << i)) != 0) {
                final int outstanding = members[i].outstanding();
                if (outstanding < bestOutstanding) {
                    best = i;
                    bestOutstanding = outstanding;
                }
            }
        }
        return best;
    }

    /**
     * Builds the exception for a call that found every member ejected, e.g. {@code all 3 members of
     * http://orders:80 are ejected: http://127.0.0.1:8081 until 2026-11-23T12:00:30Z (5 consecutive
     * errors), ...} (at most 8 members are listed), naming the soonest time a member is tried again.
     *
     * @param nowNanos {@link dev.sturdy.internal.runtime.Ticker#nanoTime()} now
     * @return a stackless exception to throw
     */
    public EndpointEjectedException ejectedException(long nowNanos) {
        return detector.groupEjectedException(this, nowNanos);
    }

    /**
     * @param index a member index from {@link #select(long, long)}
     * @return that member's state: pass it to the detector's {@code onSuccess}/{@code onError} and count
     *         its outstanding requests
     */
    public EndpointState member(int index) {
        return members[index];
    }

    /**
     * @param index a member index
     * @return that member's key, as given at registration (the target to send the attempt to)
     */
    public Object key(int index) {
        return members[index].key;
    }

    /** @return the number of members */
    public int size() {
        return members.length;
    }

    /** @return the group */
    public EndpointGroup group() {
        return group;
    }

    /** @return the group's service as {@code scheme://host:port} */
    public String name() {
        return name;
    }

    /** @return the most members ejected at once: max(1, floor(maxEjectionPercent x members / 100)) */
    public int maxEjected() {
        return maxEjected;
    }

    @Override
    public String toString() {
        return "EndpointSelector{" + name + ", " + members.length + " members, " + group.loadBalancing() + '}';
    }
}
