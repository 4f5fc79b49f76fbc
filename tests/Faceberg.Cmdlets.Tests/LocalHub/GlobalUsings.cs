// The hosting helpers use xunit attributes without a using; this makes the project build on its own.
global using Xunit;
