global using Xunit;
namespace VSwitch.Tests;
public class Smoke { [Fact] public void One_Equals_One() => Assert.Equal(2, 1 + 1); }
