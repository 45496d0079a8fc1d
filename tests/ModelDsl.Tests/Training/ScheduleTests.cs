namespace ModelDsl.Tests.Training;

public class ScheduleTests
{
    [Fact]
    public void Step_MultipliesByGammaEveryPeriod()
    {
        var s = Schedule.Step(every: 10, gamma: 0.5);
        Assert.Equal([1, 1, 0.5, 0.5, 0.25], new long[] { 0, 9, 10, 19, 20 }.Select(t => s.Factor(t, 100)));
    }

    [Fact]
    public void MultiStep_MultipliesByGammaAtEachMilestone()
    {
        var s = Schedule.MultiStep([30, 10], 0.1);
        Assert.Equal([1, 0.1, 0.1, 0.01], new long[] { 9, 10, 29, 30 }.Select(t => Math.Round(s.Factor(t, 100), 12)));
        Assert.Throws<ArgumentException>(() => Schedule.MultiStep([], 0.1));
    }

    [Fact]
    public void Cosine_GoesFromOneToTheFloor_HalfwayAtTheMiddle()
    {
        var s = Schedule.Cosine(floor: 0.1);
        Assert.Equal(1, s.Factor(0, 101), 12);
        Assert.Equal(0.1 + 0.9 * 0.5, s.Factor(50, 101), 12);
        Assert.Equal(0.1, s.Factor(100, 101), 12);
        Assert.Equal(0.1 + 0.9 * (1 + Math.Cos(Math.PI * 0.25)) / 2, s.Factor(25, 101), 12);
    }

    [Fact]
    public void Linear_IsAStraightLine()
    {
        var s = Schedule.Linear(end: 0.2);
        Assert.Equal([1, 0.8, 0.6, 0.4, 0.2], Enumerable.Range(0, 5).Select(t => Math.Round(s.Factor(t, 5), 12)));
    }

    [Fact]
    public void InverseSqrt_IsFlatThroughTheWarmupThenFalls()
    {
        var s = Schedule.InverseSqrt(warmup: 4);
        Assert.Equal(1, s.Factor(0, 100));
        Assert.Equal(1, s.Factor(3, 100));
        Assert.Equal(Math.Sqrt(4.0 / 16), s.Factor(15, 100), 12);
    }

    [Fact]
    public void Warmup_RisesLinearly_ThenHandsOverToTheSchedule()
    {
        var s = Schedule.Cosine().WithWarmup(4);
        Assert.Equal([0.25, 0.5, 0.75, 1], Enumerable.Range(0, 4).Select(t => s.Factor(t, 14)));
        Assert.Equal(1, s.Factor(4, 14), 12);   // the cosine's first step
        Assert.Equal(0, s.Factor(13, 14), 12);  // and its last
    }

    [Fact]
    public void BadArguments_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Step(0, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Step(10, 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Cosine(-0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Schedule.Constant.WithWarmup(0));
    }

    [Fact]
    public void Trainer_AppliesTheScheduleBeforeEveryStep()
    {
        var model = new LinearModel(Shape.Flat(4), 3);
        var data = new Dataset(new float[10 * 4], [0, 1, 2, 0, 1, 2, 0, 1, 2, 0], Shape.Flat(4));
        var sgd = new Sgd(0.1f);
        var trainer = new Trainer(model, sgd);
        trainer.Fit(data, epochs: 2, batchSize: 4, schedule: Schedule.Linear(end: 0.5)); // 3 steps per epoch, 6 in all
        Assert.Equal(0.1f * 0.5f, sgd.LearningRate, 6); // the last step's rate
    }
}
