package org.edgefront.evaluators.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CompressedTensorCacheTest {
    @Test
    void keepsTensorsUpToTheByteBoundAndEvictsTheLeastRecentlyUsed() {
        CompressedTensorCache c = new CompressedTensorCache(3 * 4 * 10);   // three tensors of 10 floats
        AtomicInteger computed = new AtomicInteger();
        float[] a = c.get("a", () -> { computed.incrementAndGet(); return new float[10]; });
        c.get("b", () -> { computed.incrementAndGet(); return new float[10]; });
        c.get("c", () -> { computed.incrementAndGet(); return new float[10]; });
        assertSame(a, c.get("a", () -> { throw new AssertionError("a is cached"); }));
        c.get("d", () -> { computed.incrementAndGet(); return new float[10]; });   // evicts b, the least recently used
        assertEquals(3, c.size());
        assertSame(a, c.get("a", () -> { throw new AssertionError("a is cached"); }));
        c.get("b", () -> { computed.incrementAndGet(); return new float[10]; });
        assertEquals(5, computed.get());
        c.get("big", () -> new float[31]);   // larger than the bound: computed, not kept
        assertEquals(3, c.size());
        c.clear();
        assertEquals(0, c.size());
    }

    @Test
    void aZeroBoundKeepsNothing() {
        CompressedTensorCache c = new CompressedTensorCache(0);
        c.get("a", () -> new float[1]);
        assertEquals(0, c.size());
    }
}
