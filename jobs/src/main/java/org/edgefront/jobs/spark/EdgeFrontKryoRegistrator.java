package org.edgefront.jobs.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.spark.serializer.KryoRegistrator;
import org.edgefront.space.candidate.Candidate;
import org.edgefront.space.metric.Evaluation;
import org.edgefront.space.metric.EvaluationStatus;
import org.edgefront.space.metric.Measurements;
import org.edgefront.space.metric.Metric;

/**
 * Registers every class EdgeFront ships between driver and executors with Spark's Kryo
 * ({@code spark.kryo.registrationRequired=true}). Kryo 4 (bundled with Spark) cannot build Java
 * records or immutable classes by itself, so each gets an explicit serializer.
 */
public final class EdgeFrontKryoRegistrator implements KryoRegistrator {

    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(int[].class);
        kryo.register(double[].class);
        kryo.register(Object[].class);
        kryo.register(Candidate.class, new CandidateSerializer());
        kryo.register(Measurements.class, new MeasurementsSerializer());
        kryo.register(Evaluation.class, new EvaluationSerializer());
        kryo.register(EvaluationStatus.class);
        try {
            // Spark ships collected arrays and parallelized sequences in these Scala wrappers
            kryo.register(Class.forName("scala.collection.immutable.ArraySeq$ofRef"));
            kryo.register(Class.forName("scala.collection.mutable.ArraySeq$ofRef"));
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Spark's Scala runtime is not on the classpath", e);
        }
    }

    /** Candidate: its genes and its id (the content address its space gave it). */
    static final class CandidateSerializer extends Serializer<Candidate> {
        @Override
        public void write(Kryo kryo, Output out, Candidate c) {
            out.writeInt(c.size(), true);
            for (int i = 0; i < c.size(); i++) out.writeInt(c.gene(i), true);
            out.writeString(c.id());
        }

        @Override
        public Candidate read(Kryo kryo, Input in, Class<Candidate> type) {
            int n = in.readInt(true);
            int[] g = new int[n];
            for (int i = 0; i < n; i++) g[i] = in.readInt(true);
            return Candidate.withId(g, in.readString());
        }
    }

    /** Measurements: (metric ordinal, value) pairs. */
    static final class MeasurementsSerializer extends Serializer<Measurements> {
        @Override
        public void write(Kryo kryo, Output out, Measurements m) {
            var map = m.asMap();
            out.writeInt(map.size(), true);
            map.forEach((k, v) -> {
                out.writeInt(k.ordinal(), true);
                out.writeDouble(v);
            });
        }

        @Override
        public Measurements read(Kryo kryo, Input in, Class<Measurements> type) {
            int n = in.readInt(true);
            Metric[] all = Metric.values();
            Measurements m = Measurements.EMPTY;
            for (int i = 0; i < n; i++) {
                int k = in.readInt(true);
                m = m.with(all[k], in.readDouble());
            }
            return m;
        }
    }

    /** Evaluation record: every component. */
    static final class EvaluationSerializer extends Serializer<Evaluation> {
        private final MeasurementsSerializer measurements = new MeasurementsSerializer();

        @Override
        public void write(Kryo kryo, Output out, Evaluation e) {
            out.writeString(e.candidateId());
            out.writeInt(e.status().ordinal(), true);
            measurements.write(kryo, out, e.measurements());
            out.writeString(e.failureReason());
            out.writeString(e.fidelity());
            out.writeString(e.evaluatorVersion());
        }

        @Override
        public Evaluation read(Kryo kryo, Input in, Class<Evaluation> type) {
            String id = in.readString();
            EvaluationStatus st = EvaluationStatus.values()[in.readInt(true)];
            Measurements m = measurements.read(kryo, in, Measurements.class);
            return new Evaluation(id, st, m, in.readString(), in.readString(), in.readString());
        }
    }
}
