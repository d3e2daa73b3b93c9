package org.edgefront.evaluators.quality;

/**
 * Quality of one (compressed) model on the evaluation tokens.
 *
 * @param perplexity     exp(mean negative log-likelihood of the next token), dimensionless, lower is better
 * @param klNatsPerToken mean over predicted positions of KL(reference || compressed), nats/token, lower is better
 * @param top1Agreement  fraction of predicted positions whose most likely next token equals the reference's, higher is better
 * @param tokens         predicted positions measured (sequence lengths minus one, summed)
 */
public record QualityReport(double perplexity, double klNatsPerToken, double top1Agreement, long tokens)
        implements java.io.Serializable {}
