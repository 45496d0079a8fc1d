namespace ModelDsl.Generators
{
    /// <summary>Names of the generator's pipeline stages, so tests can find them.</summary>
    internal static class TrackingNames
    {
        public const string ModelSpec = nameof(ModelSpec);
        public const string ShapedModel = nameof(ShapedModel);
        public const string BlockSpec = nameof(BlockSpec);
    }
}
