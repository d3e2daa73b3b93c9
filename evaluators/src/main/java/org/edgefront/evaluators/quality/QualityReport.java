package org.edgefront.evaluators.quality;

/**
 * Quality of one (compressed) model on the evaluation tokens.
 *
 * @param perplexity     exp(mean negative log-likelihood of the next token), dimensionless, lower is better
 * @param klNatsPerToken mean over predicted positions of KL(reference || compressed), nats/token, lower is better
 * @param top1Agreement  fraction of predicted positions whose most likely next token equals the reference's, higher is better
 * @param tokens         predicted positions measured (sequence lengths minus one, summed)
 * @param droppedReferenceMass mean reference probability on tokens a pruned vocabulary cannot produce (0 without
 *                       vocabulary pruning); the KL is then taken over the kept tokens against the reference
 *                       renormalized to them, and perplexity over the targets the model can still produce
 */
public record QualityReport(double perplexity, double klNatsPerToken, double top1Agreement, long tokens,
                            double droppedReferenceMass) implements java.io.Serializable {
    /** A report of a model with its whole vocabulary. */
    public QualityReport(double perplexity, double klNatsPerToken, double top1Agreement, long tokens) {
        this(perplexity, klNatsPerToken, top1Agreement, tokens, 0.0);
    }
}
