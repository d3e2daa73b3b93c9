package org.edgefront.evaluators.quality;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Read-only tensor maps whose values are produced on {@link Map#get} instead of held: a pass's tensors with some
 * replaced ({@link #overlay}), tensors computed when a pass reaches them ({@link #computed}), and the checkpoint
 * reader {@link StreamedTensors}. A forward pass asks for a streamed layer's tensors once per chunk, so a value may be
 * produced more than once; iterating the entries produces every value once. Stateless.
 */
final class TensorViews {
    private TensorViews() {}

    /** A read-only map over a fixed key set whose values come from {@link #get}. Thread-safe when {@code get} is. */
    abstract static class View extends AbstractMap<String, float[]> {
        @Override
        public abstract float[] get(Object key);

        @Override
        public abstract Set<String> keySet();

        @Override
        public boolean containsKey(Object key) { return keySet().contains(key); }

        @Override
        public int size() { return keySet().size(); }

        @Override
        public Set<Entry<String, float[]>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, float[]>> iterator() {
                    Iterator<String> it = keySet().iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() { return it.hasNext(); }

                        @Override
                        public Entry<String, float[]> next() {
                            String n = it.next();
                            return new SimpleImmutableEntry<>(n, get(n));
                        }
                    };
                }

                @Override
                public int size() { return keySet().size(); }
            };
        }
    }

    /** {@code base} with {@code replaced}'s values over it; both are read, not copied, on each get. */
    static Map<String, float[]> overlay(Map<String, float[]> base, Map<String, float[]> replaced) {
        return new View() {
            @Override
            public float[] get(Object key) { return replaced.containsKey(key) ? replaced.get(key) : base.get(key); }

            @Override
            public Set<String> keySet() { return base.keySet(); }
        };
    }

    /** The keys {@code names}, each value {@code compute}d anew on every get (callers cache where it pays). */
    static Map<String, float[]> computed(Set<String> names, Function<String, float[]> compute) {
        Set<String> keys = Set.copyOf(names);
        return new View() {
            @Override
            public float[] get(Object key) { return key instanceof String n && keys.contains(n) ? compute.apply(n) : null; }

            @Override
            public Set<String> keySet() { return keys; }
        };
    }
}
