namespace Easel.Server; public partial class Program { public static void Main() { } }
