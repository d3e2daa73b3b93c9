package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

class PassWorkersTest {
    @Test
    void everyTaskRunsExactlyOnceOnAThreadOfThePool() {
        PassWorkers w = PassWorkers.of(3);
        assertEquals(3, w.threads());
        for (int tasks : new int[] {0, 1, 2, 3, 50}) {
            AtomicIntegerArray runs = new AtomicIntegerArray(Math.max(1, tasks));
            java.util.Set<Integer> threads = ConcurrentHashMap.newKeySet();
            w.forEach(tasks, (i, t) -> {
                runs.incrementAndGet(i);
                threads.add(t);
            });
            for (int i = 0; i < tasks; i++) assertEquals(1, runs.get(i), "task " + i + " of " + tasks);
            for (int t : threads) assertTrue(t >= 0 && t < 3, "thread index " + t);
        }
    }

    @Test
    void oneThreadRunsInTheCallerAndATaskFailureReachesTheCaller() {
        assertSame(PassWorkers.ONE, PassWorkers.of(1));
        Thread caller = Thread.currentThread();
        PassWorkers.ONE.forEach(4, (i, t) -> {
            assertSame(caller, Thread.currentThread());
            assertEquals(0, t);
        });
        var e = assertThrows(IllegalStateException.class, () -> PassWorkers.of(2).forEach(20, (i, t) -> {
            if (i == 7) throw new IllegalStateException("task 7 failed");
        }));
        assertEquals("task 7 failed", e.getMessage());
    }
}
