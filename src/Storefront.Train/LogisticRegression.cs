using Storefront.Api.Inference.Sentiment;

namespace Storefront.Train;

/// <summary>
/// L2-regularised logistic regression fitted by L-BFGS on the full batch:
/// minimise (1/N) Σ log(1 + e^(−y·(b + w·x))) + (λ/2)‖w‖², y ∈ {−1, +1}, bias unregularised.
/// The objective is strictly convex, so the result is its unique minimum rather than an artefact of a learning
/// rate or visiting order, and every loop runs in a fixed order on scalars, so a run is reproducible bit for bit.
/// </summary>
internal static class LogisticRegression
{
    private const int History = 10;
    private const double Armijo = 1e-4;

    /// <param name="rows">Feature vectors, indices in 0..dimension−1.</param>
    /// <param name="positive">The label of each row.</param>
    /// <returns>The weights (length dimension) and the bias.</returns>
    public static (double[] Weights, double Bias) Fit(
        SparseVector[] rows, bool[] positive, int dimension, double l2,
        int maxIterations, double tolerance, CancellationToken cancellationToken)
    {
        // Parameter vector: weights, then the bias in the last slot.
        var n = dimension + 1;
        var x = new double[n];
        var gradient = new double[n];
        var loss = Evaluate(rows, positive, l2, x, gradient);
        var s = new double[History][];
        var y = new double[History][];
        var rho = new double[History];
        var alpha = new double[History];
        var stored = 0;
        var direction = new double[n];
        var nextX = new double[n];
        var nextGradient = new double[n];

        for (var iteration = 0; iteration < maxIterations && MaxAbs(gradient) > tolerance; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Two-loop recursion: direction = −H·g from the last `stored` steps, newest first.
            for (var i = 0; i < n; i++) direction[i] = -gradient[i];
            for (var k = stored - 1; k >= 0; k--)
            {
                alpha[k] = rho[k] * DotProduct(s[k], direction);
                AddScaled(direction, y[k], -alpha[k]);
            }
            var scale = stored > 0 ? DotProduct(s[stored - 1], y[stored - 1]) / DotProduct(y[stored - 1], y[stored - 1]) : 1 / Math.Sqrt(DotProduct(gradient, gradient));
            for (var i = 0; i < n; i++) direction[i] *= scale;
            for (var k = 0; k < stored; k++)
            {
                var beta = rho[k] * DotProduct(y[k], direction);
                AddScaled(direction, s[k], alpha[k] - beta);
            }

            var slope = DotProduct(gradient, direction);
            if (slope >= 0) break; // not a descent direction: only rounding noise is left
            double step = 1, nextLoss;
            while (true)
            {
                for (var i = 0; i < n; i++) nextX[i] = x[i] + (step * direction[i]);
                nextLoss = Evaluate(rows, positive, l2, nextX, nextGradient);
                if (nextLoss <= loss + (Armijo * step * slope) || step < 1e-10) break;
                step /= 2;
            }
            if (loss - nextLoss <= 1e-12 * Math.Max(1, Math.Abs(loss))) break; // converged as far as doubles tell

            // Remember the step; the oldest pair drops out once History are stored.
            var (sNew, yNew) = stored == History ? (s[0], y[0]) : (new double[n], new double[n]);
            if (stored == History)
            {
                Array.Copy(s, 1, s, 0, History - 1);
                Array.Copy(y, 1, y, 0, History - 1);
                Array.Copy(rho, 1, rho, 0, History - 1);
                stored--;
            }
            for (var i = 0; i < n; i++)
            {
                sNew[i] = nextX[i] - x[i];
                yNew[i] = nextGradient[i] - gradient[i];
            }
            var curvature = DotProduct(sNew, yNew);
            if (curvature > 0)
            {
                (s[stored], y[stored], rho[stored]) = (sNew, yNew, 1 / curvature);
                stored++;
            }
            (x, nextX) = (nextX, x);
            (gradient, nextGradient) = (nextGradient, gradient);
            loss = nextLoss;
        }
        return (x[..dimension], x[dimension]);
    }

    /// <summary>The objective at <paramref name="x"/>; its gradient goes into <paramref name="gradient"/>.</summary>
    private static double Evaluate(SparseVector[] rows, bool[] positive, double l2, double[] x, double[] gradient)
    {
        var bias = x[^1];
        Array.Clear(gradient);
        double loss = 0;
        for (var r = 0; r < rows.Length; r++)
        {
            var (indices, values) = rows[r];
            var z = bias;
            for (var k = 0; k < indices.Length; k++) z += x[indices[k]] * values[k];
            var sign = positive[r] ? 1.0 : -1.0;
            var margin = sign * z;
            loss += margin > 0 ? Math.Log(1 + Math.Exp(-margin)) : -margin + Math.Log(1 + Math.Exp(margin));
            // d/dz log(1 + e^(−y·z)) = −y·σ(−y·z)
            var d = -sign / (1 + Math.Exp(margin));
            for (var k = 0; k < indices.Length; k++) gradient[indices[k]] += d * values[k];
            gradient[^1] += d;
        }
        var scale = 1.0 / rows.Length;
        double squares = 0;
        for (var i = 0; i < gradient.Length - 1; i++)
        {
            gradient[i] = (gradient[i] * scale) + (l2 * x[i]);
            squares += x[i] * x[i];
        }
        gradient[^1] *= scale;
        return (loss * scale) + (0.5 * l2 * squares);
    }

    private static double DotProduct(double[] a, double[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static void AddScaled(double[] target, double[] source, double factor)
    {
        for (var i = 0; i < target.Length; i++) target[i] += factor * source[i];
    }

    private static double MaxAbs(double[] values)
    {
        double max = 0;
        foreach (var v in values) max = Math.Max(max, Math.Abs(v));
        return max;
    }
}
