package dev.sturdy.httpclient5.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sturdy.ResiliencePolicy;
import dev.sturdy.TimeoutPolicy;
import dev.sturdy.internal.runtime.Ticker;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.core5.http.HttpHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The start of a classic call on the success path is stamped without a clock read by the caller: the
 * watchdog stamps a running call the first time it looks at it, or the owner stamps it on a slow path
 * with the time it read anyway. The contract: a deadline runs from a start that is never earlier than
 * the call's real start, so it can fire late (by up to a tick) but never early. Time here is a ticker
 * the test moves; {@code deadlineNanos()} is called as the watchdog thread calls it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CallStartStampTest {

    private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(10);
    private static final long PER_TRY = TimeUnit.SECONDS.toNanos(2);
    private static final HttpHost TARGET = new HttpHost("http", "localhost", 8080);

    private final AtomicLong time = new AtomicLong(1_000_000_000L);
    private ClientRuntime runtime;

    private ClientRuntime runtime(Ticker ticker, boolean perTry) {
        TimeoutPolicy.Builder timeouts = TimeoutPolicy.builder().responseTimeout(Duration.ofNanos(TIMEOUT));
        if (perTry) {
            timeouts.perTryTimeout(Duration.ofNanos(PER_TRY));
        }
        ResiliencePolicy policy = ResiliencePolicy.builder().timeouts(timeouts.build()).build();
        runtime = new ClientRuntime(policy, new Seams(ticker, nanos -> { }, () -> 0.5,
                TimeUnit.MILLISECONDS.toNanos(5)), List.of(), b -> { });
        return runtime;
    }

    private Ticker movable() {
        return new Ticker() {
            @Override
            public long nanoTime() {
                return time.get();
            }

            @Override
            public long epochMillis() {
                return 0L;
            }
        };
    }

    @AfterEach
    void close() {
        if (runtime != null) {
            runtime.close();
        }
    }

    @Test
    void theWatchdogStampsARunningCallWithTheTimeOfItsFirstLook() {
        ClientRuntime rt = runtime(movable(), true);
        Call call = new Call(rt, true);
        call.open(rt.state(), "GET", Call.UNSTAMPED, false);
        call.beginAttempt(null, TARGET, Call.UNSTAMPED);
        assertThat(call.started()).isFalse();

        time.addAndGet(3_000); // the watchdog looks 3 us after the call opened
        long stamp = time.get();
        assertThat(call.deadlineNanos()).as("the first attempt's per-try deadline, from the stamp")
                .isEqualTo(stamp + PER_TRY);
        assertThat(call.started()).isTrue();

        time.addAndGet(1_000_000);
        assertThat(call.deadlineNanos()).as("stamped once").isEqualTo(stamp + PER_TRY);
        assertThat(call.remainingNanos(time.get())).isEqualTo(stamp + TIMEOUT - time.get());
    }

    @Test
    void theOwnerStampsWithItsOwnTimeWhenItNeedsTheStartFirst() {
        ClientRuntime rt = runtime(movable(), false);
        Call call = new Call(rt, true);
        call.open(rt.state(), "GET", Call.UNSTAMPED, false);
        call.beginAttempt(null, TARGET, Call.UNSTAMPED);
        time.addAndGet(5_000);
        long ownerNow = time.get();

        assertThat(call.remainingNanos(ownerNow)).isEqualTo(TIMEOUT);
        time.addAndGet(7_000);
        assertThat(call.deadlineNanos()).as("the watchdog keeps the owner's stamp").isEqualTo(ownerNow + TIMEOUT);
    }

    @Test
    void aFinishedCallIsNotStampedAndItsNextCallStartsAfresh() {
        ClientRuntime rt = runtime(movable(), false);
        Call call = new Call(rt, true);
        call.open(rt.state(), "GET", Call.UNSTAMPED, false);
        call.beginAttempt(null, TARGET, Call.UNSTAMPED);
        call.finish();
        time.addAndGet(TIMEOUT * 5); // long after: a stale stamp would make the next call's deadline past

        call.deadlineNanos(); // the watchdog looks at the idle call
        assertThat(call.started()).as("an idle call is not stamped").isFalse();

        call.open(rt.state(), "GET", Call.UNSTAMPED, false);
        call.beginAttempt(null, TARGET, Call.UNSTAMPED);
        time.addAndGet(1_000);
        assertThat(call.deadlineNanos() - time.get()).as("the new call's deadline is a whole timeout away")
                .isEqualTo(TIMEOUT);
    }

    @Test
    void aStampIsNeverEarlierThanTheCallItLandsOnWhileTheOwnerReopensTheCall() throws Exception {
        long seed = Long.getLong("sturdy.seed", System.nanoTime());
        System.out.println("aStampIsNeverEarlierThanTheCallItLandsOnWhileTheOwnerReopensTheCall seed=" + seed);
        SplittableRandom random = new SplittableRandom(seed);
        // every read of this clock is later than the one before: "never earlier" is then checkable exactly
        AtomicLong ticks = new AtomicLong();
        Ticker strict = new Ticker() {
            @Override
            public long nanoTime() {
                return ticks.incrementAndGet();
            }

            @Override
            public long epochMillis() {
                return 0L;
            }
        };
        ClientRuntime rt = runtime(strict, false);
        Call call = new Call(rt, true);
        // as the client does: a call is opened (its policy set) before the watchdog ever sees it
        call.open(rt.state(), "GET", Call.UNSTAMPED, false);
        call.finish();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> watchdogFailure = new AtomicReference<>();
        Thread watchdog = new Thread(() -> {
            try {
                while (!stop.get()) {
                    call.deadlineNanos(); // what the watchdog thread does on every tick, here without pause
                }
            } catch (Throwable t) {
                watchdogFailure.set(t);
            }
        }, "test-watchdog");
        watchdog.start();
        try {
            int stampedByWatchdog = 0;
            for (int i = 0; i < 200_000; i++) {
                long opened = ticks.incrementAndGet(); // the call's real start: just before open()
                call.open(rt.state(), "GET", Call.UNSTAMPED, false);
                call.beginAttempt(null, TARGET, Call.UNSTAMPED);
                for (int spin = random.nextInt(64); spin > 0; spin--) {
                    Thread.onSpinWait(); // give the watchdog a varying window to stamp this call
                }
                if (i % 1000 == 0) {
                    // on a loaded machine the watchdog thread may not run at all during the spins: every
                    // 1000th call waits for its stamp, so the watchdog's side of the race is always taken
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                    while (!call.started() && watchdog.isAlive() && System.nanoTime() - until < 0) {
                        Thread.yield();
                    }
                    assertThat(watchdogFailure.get()).as("the watchdog thread's failure").isNull();
                }
                boolean before = call.started();
                long now = strict.nanoTime();
                long start = now + call.remainingNanos(now) - TIMEOUT; // the stamp, whoever made it
                long after = ticks.incrementAndGet();
                assertThat(start).as("call %d (seed %d): start stamp vs real start", i, seed).isGreaterThan(opened);
                assertThat(start).as("call %d (seed %d): stamped by now", i, seed).isLessThan(after);
                if (before) {
                    stampedByWatchdog++;
                }
                call.endAttempt();
                call.finish();
            }
            System.out.println("stamped by the watchdog first: " + stampedByWatchdog + " of 200000");
            assertThat(stampedByWatchdog).as("the race was exercised").isPositive();
        } finally {
            stop.set(true);
            watchdog.join(5000);
        }
        assertThat(watchdogFailure.get()).isNull();
    }
}
