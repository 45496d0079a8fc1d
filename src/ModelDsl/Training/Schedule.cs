namespace ModelDsl;

/// <summary>
/// A learning-rate schedule: the factor by which the optimizer's base learning rate is multiplied at
/// each step (a step is one mini-batch), given the run's total number of steps. <see cref="Trainer.Fit"/>
/// applies it before every step.
/// </summary>
public abstract class Schedule
{
    /// <summary>The factor at <paramref name="step"/> (0-based) of a run of <paramref name="totalSteps"/> steps.</summary>
    public abstract double Factor(long step, long totalSteps);

    /// <summary>Always 1: the base learning rate throughout.</summary>
    public static Schedule Constant { get; } = new ConstantSchedule();

    /// <summary>Multiplies by <paramref name="gamma"/> every <paramref name="every"/> steps: γ^⌊t / every⌋ (PyTorch's StepLR, counted in steps).</summary>
    public static Schedule Step(long every, double gamma)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(every, 1);
        if (!(gamma > 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be in (0, 1].");
        return new StepSchedule(every, gamma);
    }

    /// <summary>Multiplies by <paramref name="gamma"/> at each milestone step: γ^(number of milestones ≤ t) (PyTorch's MultiStepLR, counted in steps).</summary>
    public static Schedule MultiStep(IEnumerable<long> milestones, double gamma)
    {
        var sorted = milestones.OrderBy(m => m).ToArray();
        if (sorted.Length == 0 || sorted[0] < 0) throw new ArgumentException("Give one or more milestones, each ≥ 0.", nameof(milestones));
        if (!(gamma > 0 && gamma <= 1)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be in (0, 1].");
        return new MultiStepSchedule(sorted, gamma);
    }

    /// <summary>Cosine annealing from 1 to <paramref name="floor"/>: floor + (1 − floor)·(1 + cos(π·t/T))/2.</summary>
    public static Schedule Cosine(double floor = 0) => new CosineSchedule(CheckFactor(floor, nameof(floor)));

    /// <summary>A straight line from 1 at the first step to <paramref name="end"/> at the last.</summary>
    public static Schedule Linear(double end = 0) => new LinearSchedule(CheckFactor(end, nameof(end)));

    /// <summary>The inverse square root of the step (Vaswani et al. 2017): √(w / max(t + 1, w)), 1 for the first <paramref name="warmup"/> steps.</summary>
    public static Schedule InverseSqrt(long warmup)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(warmup, 1);
        return new InverseSqrtSchedule(warmup);
    }

    /// <summary>
    /// A linear warm-up over the first <paramref name="steps"/> steps, (t + 1)/steps, then this schedule over
    /// the remaining steps (it starts its own count at 0 there).
    /// </summary>
    public Schedule WithWarmup(long steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        return new WarmupSchedule(steps, this);
    }

    private static double CheckFactor(double value, string name) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1].");

    private sealed class ConstantSchedule : Schedule
    {
        public override double Factor(long step, long totalSteps) => 1;
    }

    private sealed class StepSchedule(long every, double gamma) : Schedule
    {
        public override double Factor(long step, long totalSteps) => Math.Pow(gamma, step / every);
    }

    private sealed class MultiStepSchedule(long[] milestones, double gamma) : Schedule
    {
        public override double Factor(long step, long totalSteps)
        {
            var passed = 0;
            while (passed < milestones.Length && milestones[passed] <= step) passed++;
            return Math.Pow(gamma, passed);
        }
    }

    private sealed class CosineSchedule(double floor) : Schedule
    {
        public override double Factor(long step, long totalSteps) =>
            totalSteps <= 1 ? 1 : floor + (1 - floor) * (1 + Math.Cos(Math.PI * step / (totalSteps - 1))) / 2;
    }

    private sealed class LinearSchedule(double end) : Schedule
    {
        public override double Factor(long step, long totalSteps) =>
            totalSteps <= 1 ? 1 : 1 + (end - 1) * step / (totalSteps - 1);
    }

    private sealed class InverseSqrtSchedule(long warmup) : Schedule
    {
        public override double Factor(long step, long totalSteps) => Math.Sqrt((double)warmup / Math.Max(step + 1, warmup));
    }

    private sealed class WarmupSchedule(long steps, Schedule after) : Schedule
    {
        public override double Factor(long step, long totalSteps) =>
            step < steps ? (step + 1) / (double)steps : after.Factor(step - steps, Math.Max(1, totalSteps - steps));
    }
}
