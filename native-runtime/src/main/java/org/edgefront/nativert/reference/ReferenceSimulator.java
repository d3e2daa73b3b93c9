package org.edgefront.nativert.reference;

import org.edgefront.nativert.BlockState;
import org.edgefront.nativert.EncodedChoice;
import org.edgefront.nativert.ModelTensors;
import org.edgefront.nativert.TensorReads;
import org.edgefront.nativert.NativeSimulator;
import org.edgefront.nativert.OpCost;
import org.edgefront.nativert.SimulationResult;
import org.edgefront.nativert.calibration.BackendCalibration;
import org.edgefront.nativert.calibration.Calibrations;
import org.edgefront.nativert.device.BlockKind;
import org.edgefront.nativert.device.DeviceProfile;
import org.edgefront.nativert.device.Workload;
import org.edgefront.space.format.NamedFormat;
import org.edgefront.space.format.SimulatorFormats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.edgefront.space.compress.TensorChoice;
import org.edgefront.space.model.ModelArchitecture;
import org.edgefront.space.model.TensorRole;
import org.edgefront.space.model.TensorSpec;

/**
 * A pure-Java implementation of the native simulator's model (see {@code edgefront_sim.h}), written
 * independently from the C code from the same equations, so tests can check the native results against
 * it. Slow compared with the native batch path; meant for tests and explanation. Stateless and
 * thread-safe.
 */
public final class ReferenceSimulator {
    private final Calibrations calibrations;

    public ReferenceSimulator(Calibrations calibrations) {
        this.calibrations = Objects.requireNonNull(calibrations, "calibrations");
    }

    /** {@code launchTime}: the part of {@code time} that is operator launch overhead. */
    private record Cost(double bytes, double ops, double time, OpCost.Bound bound, double launchTime) {}

    /** Peaks and bandwidth the backend achieves for this workload. */
    private record Rates(double bw, double int8, double fp32, double fp16) {}

    private static Rates rates(DeviceProfile d, Workload w, BackendCalibration c) {
        Rates r = unitRates(d, w, c);
        // kernels that dequantize to floats run quantized GEMVs on the FP32 path
        return c.dequantizesToFloat() ? new Rates(r.bw(), r.fp32(), r.fp32(), r.fp16()) : r;
    }

    private static Rates unitRates(DeviceProfile d, Workload w, BackendCalibration c) {
        double eff = c.computeEfficiency();
        DeviceProfile.ComputeUnit u = d.unit(w.backend(), w.threads());
        if (!(u.fp16FlopsPerSecond() > 0 || u.int8OpsPerSecond() > 0)) {
            throw new IllegalArgumentException("backend " + w.backend() + " requested but the device has no " + w.backend());
        }
        // absent peaks are derived as the C library does: FP16 from half the int8 peak, FP32 from half the FP16 peak
        double f16 = u.fp16FlopsPerSecond() > 0 ? u.fp16FlopsPerSecond() : 0.5 * u.int8OpsPerSecond();
        double f32 = u.fp32FlopsPerSecond() > 0 ? u.fp32FlopsPerSecond() : 0.5 * f16;
        double i8 = u.int8OpsPerSecond() > 0 ? u.int8OpsPerSecond() : u.fp16FlopsPerSecond();
        double bw = d.dram().bandwidthBytesPerSecond();
        if (w.backend().hostCores()) bw = Math.min(d.cpuCoresUsed(w.threads()) * d.cpu().coreBandwidthBytesPerSecond(), bw);
        return new Rates(bw * c.memEfficiency(), i8 * eff, f32 * eff, f16 * eff);
    }

    private static Cost roofline(double bytes, double ops, double peak, double bw, double overhead, double launches, boolean serial) {
        double tm = bytes / bw, tc = ops / peak, to = overhead * launches;
        OpCost.Bound b = (to > tm && to > tc) ? OpCost.Bound.OVERHEAD : (tc > tm ? OpCost.Bound.COMPUTE : OpCost.Bound.MEMORY);
        return new Cost(bytes, ops, (serial ? tm + tc : Math.max(tm, tc)) + to, b, to);
    }

    private static double throttled(double start, double work, double onset, double sustained) {
        double free = Math.max(0.0, onset - start);
        return work <= free ? work : free + (work - free) / sustained;
    }

    /** Simulates one unpruned candidate (same contract as {@link NativeSimulator#simulate(DeviceProfile, Workload, ModelArchitecture, Map)}). */
    public SimulationResult simulate(DeviceProfile d, Workload w, ModelArchitecture arch, Map<String, TensorChoice> choices) {
        return simulate(d, w, arch, NativeSimulator.encodeAll(arch, choices));
    }

    /**
     * Simulates one candidate given as encoded choices, which carry the kept shapes of structured pruning (same contract
     * as {@link NativeSimulator#simulate(DeviceProfile, Workload, ModelArchitecture, List)}).
     */
    public SimulationResult simulate(DeviceProfile d, Workload w, ModelArchitecture arch, List<EncodedChoice> choices) {
        return simulate(d, w, ModelTensors.dense(arch), choices);
    }

    /** The per-call constants of one tensor's cost. */
    private record Ctx(Rates r, BackendCalibration c, double prompt, double ubatches, double tiles, double prefillScale, boolean tied) {}

    /**
     * One tensor operator over {@code rows x cols} (the kept shape, or the slice a token reads of it) holding {@code wb}
     * weight bytes: [decode cost, prefill cost].
     */
    private static Cost[] tensorCost(Ctx x, TensorRole role, EncodedChoice e, double rows, double cols, boolean lowRank, double wb) {
        Rates r = x.r();
        BackendCalibration c = x.c();
        double dense = rows * cols;
        double stored, macs, index, launches = 1;
        if (lowRank) {
            stored = e.rank() * (rows + cols);
            macs = stored;
            index = 0;
            launches = 2;
        } else if (e.sparsityKind() == 0) {
            stored = dense; macs = dense; index = 0;
        } else {
            stored = dense * (1.0 - e.sparsityRatio());
            boolean skip = (e.sparsityKind() == 2 && c.exploitsNmSparsity()) || c.formatCosts().sparseOpsPerStored(e.sparsityKind()) > 0;
            macs = skip ? stored : dense;
            index = skip ? 0 : dense;
        }
        SimulatorFormats.Row fmt = SimulatorFormats.row(e.formatId());
        double peak = fmt.int8Path() ? r.int8() : (e.formatId() == NamedFormat.F32.simulatorId() ? r.fp32() : r.fp16());
        double own = c.formatCosts().opsPerWeight(e.formatId());
        double deq = (own > 0 ? own : fmt.dequantOps()) * c.dequantScale() * stored;
        if (!lowRank && e.sparsityKind() != 0 && c.formatCosts().sparseOpsPerStored(e.sparsityKind()) > 0) {
            deq = c.formatCosts().sparseOpsPerStored(e.sparsityKind()) * stored; // the profiled sparse kernel decodes fp16 values
        } else if (fmt.genericBits() > 0 && c.formatCosts().opsPerScale() > 0) {
            // one conversion and group setup per stored fp16 scale / zero point, counted from the stored bytes
            double scales = (wb - fmt.genericBits() * stored / 8.0) / 2.0;
            if (scales > 0) deq += c.formatCosts().opsPerScale() * c.dequantScale() * scales;
        }
        double prompt = x.prompt();
        if (role == TensorRole.EMBEDDING && !x.tied()) {
            double row = wb / rows;
            return new Cost[] {roofline(row, 0, peak, r.bw(), c.opOverheadSeconds(), 1, c.memoryComputeSerial()),
                roofline(row * prompt, 0, peak, r.bw(), c.opOverheadSeconds(), 1, c.memoryComputeSerial())};
        }
        double act = 4.0 * (rows + cols);
        double dops = 2.0 * macs + deq + index;
        double extra = role == TensorRole.EMBEDDING ? wb / rows : 0.0;
        Cost dec = roofline(wb + act + extra, dops, peak, r.bw(), c.opOverheadSeconds(), launches, c.memoryComputeSerial());
        Cost pre = role.perLayer()
                ? roofline(wb * x.ubatches() + act * prompt, 2.0 * macs * prompt + (deq + index) * x.tiles(), peak * x.prefillScale(), r.bw(),
                        c.opOverheadSeconds(), launches * x.ubatches(), c.memoryComputeSerial())
                : roofline(wb + act + extra * prompt, dops, peak, r.bw(), c.opOverheadSeconds(), launches, c.memoryComputeSerial());
        return new Cost[] {dec, pre};
    }

    /**
     * Simulates one candidate of a model given as its tensors and what a token reads of each (same contract as
     * {@link NativeSimulator#simulate(DeviceProfile, Workload, ModelTensors, List)}): a decode step runs each tensor's
     * decode slice, and each prefill micro-batch adds one GEMV per extra unit (expert) it reads, without a launch of its own.
     */
    public SimulationResult simulate(DeviceProfile d, Workload w, ModelTensors model, List<EncodedChoice> choices) {
        ModelArchitecture arch = model.architecture();
        BackendCalibration c = calibrations.forBackend(w.backend());
        Rates r = rates(d, w, c);
        DeviceProfile.ComputeUnit unit = d.unit(w.backend(), w.threads());
        double pjOp = unit.picojoulesPerOp();
        double activeW = unit.activeWatts();
        double pjB = d.energy().dramPicojoulesPerByte() * 1e-12, pjO = pjOp * 1e-12, stat = d.energy().staticPowerWatts() + activeW;
        double prompt = w.promptTokens();
        double ubatches = Math.ceil(prompt / c.ubatchTokens());
        double tiles = Math.ceil(prompt / c.prefillTileTokens());
        double prefillScale = c.prefillComputeEfficiency() / c.computeEfficiency(); // GEMMs vs GEMVs
        Ctx x = new Ctx(r, c, prompt, ubatches, tiles, prefillScale, arch.tiedEmbeddings());
        List<TensorSpec> ts = model.tensors();
        if (choices.size() != ts.size()) throw new IllegalArgumentException(choices.size() + " choices for " + ts.size() + " tensors");
        List<OpCost> ops = new ArrayList<>();
        double decBytes = 0, decOps = 0, decTime = 0, preTime = 0, preBytes = 0, preOps = 0;
        for (int i = 0; i < ts.size(); i++) {
            TensorSpec t = ts.get(i);
            EncodedChoice e = choices.get(i);
            if (e.removed()) continue; // structured pruning removed it: no operator, no overhead
            TensorReads rd = model.reads().get(i);
            double fr = rd.decodeRowsFraction(), fc = rd.decodeColsFraction();
            boolean lowRank = e.rank() < Math.min(e.keptRows(), e.keptCols());
            double wb = e.weightBytes();
            Cost[] dp = tensorCost(x, t.role(), e, e.keptRows() * fr, e.keptCols() * fc, lowRank, wb * fr * fc);
            Cost dec = dp[0], pre = dp[1];
            if (rd.prefillExtraUnits() > 0) {
                // the units (experts) a micro-batch reads beyond the decode slice: one GEMV of a unit each
                double u = rd.readUnitFraction();
                boolean byCols = fc < 1.0;
                Cost ud = tensorCost(x, TensorRole.UP, e, byCols ? e.keptRows() : e.keptRows() * u, byCols ? e.keptCols() * u : e.keptCols(),
                        lowRank, wb * u)[0];
                double n = rd.prefillExtraUnits() * ubatches;
                // inside the tensor's own operator (mul_mat_id): no launch of their own
                pre = new Cost(pre.bytes() + n * ud.bytes(), pre.ops() + n * ud.ops(), pre.time() + n * (ud.time() - ud.launchTime()),
                        pre.bound(), pre.launchTime());
            }
            decBytes += dec.bytes(); decOps += dec.ops(); decTime += dec.time(); preTime += pre.time();
            preBytes += pre.bytes(); preOps += pre.ops();
            ops.add(new OpCost(t.name(), dec.bytes(), dec.ops(), dec.time(), dec.bytes() * pjB + dec.ops() * pjO + stat * dec.time(), dec.bound()));
        }
        // attention per layer from its kept Q rows (2 flops per query row and position for QK^T and again for AV) and
        // its kept K + V rows (the cache read); a layer missing Q, K or V cannot attend. A hybrid model's convolution and
        // linear-attention blocks instead read and write their state once per decode token and once per prefill
        // micro-batch, and update it once per token at the FP32 peak (the state is fp32)
        double kvElem = w.kvCacheBits() / 8.0;
        int[][] kept = MemoryModel.keptAttentionRows(arch, ts, choices);
        for (int l = 0; l < arch.layers(); l++) {
            BlockState b = model.block(l);
            Cost at, ap;
            if (!b.kind().attends()) {
                at = roofline(2.0 * b.stateBytes(), b.stateOpsPerToken(), r.fp32(), r.bw(), c.opOverheadSeconds(), 1, c.memoryComputeSerial());
                ap = roofline(2.0 * b.stateBytes() * ubatches, b.stateOpsPerToken() * prompt, r.fp32(), r.bw(), c.opOverheadSeconds(), ubatches,
                        c.memoryComputeSerial());
            } else {
                // a latent-attention block states its rows; any other derives them from its kept Q/K/V
                boolean latent = b.kind() == BlockKind.LATENT_ATTENTION;
                double q = latent ? b.queryRows() : kept[l][0];
                double kvRows = latent ? b.cacheRows() : (double) kept[l][1] + kept[l][2];
                if (!latent && (kept[l][0] == 0 || kept[l][1] == 0 || kept[l][2] == 0)) continue;
                double kvRow = kvRows * kvElem;
                // token i attends to prompt + i + 1 positions, or its window's; a prefill micro-batch re-reads at most the window
                double positions = b.decodePositions(w.promptTokens(), w.generatedTokens());
                double pairs = b.prefillPairs(w.promptTokens());
                at = roofline(positions * kvRow, 4.0 * positions * q, r.fp16(), r.bw(), c.opOverheadSeconds(), 1, c.memoryComputeSerial());
                ap = roofline((prompt + b.prefillRereadPositions(w.promptTokens()) * ubatches) * kvRow, 4.0 * pairs * q, r.fp16() * prefillScale,
                        r.bw(), c.opOverheadSeconds(), ubatches, c.memoryComputeSerial());
            }
            decBytes += at.bytes(); decOps += at.ops(); decTime += at.time();
            preBytes += ap.bytes(); preOps += ap.ops(); preTime += ap.time();
            ops.add(new OpCost(model.blockOpName(l), at.bytes(), at.ops(), at.time(),
                    at.bytes() * pjB + at.ops() * pjO + stat * at.time(), at.bound()));
        }
        if (!(decTime > 0 && preTime > 0)) throw new IllegalArgumentException("structured pruning removed every operator: nothing left to run");
        double onset = d.thermal().onsetSeconds(), sf = d.thermal().sustainedFraction(), gen = w.generatedTokens();
        double ttft = throttled(0.0, preTime, onset, sf);
        double genTime = throttled(ttft, gen * decTime, onset, sf);
        double decode = gen / genTime;
        double energy = decBytes * pjB + decOps * pjO + stat * genTime / gen;
        return new SimulationResult(decode, sf / decTime, prompt / ttft, ttft, energy, energy * decode,
                preBytes * pjB + preOps * pjO + stat * ttft,
                MemoryModel.of(model, choices, w, c), ops);
    }
}
