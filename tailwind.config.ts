import type { Config } from "tailwindcss";

export default {
  content: ["./app/**/*.{ts,tsx}"],
  theme: {
    extend: {
      colors: {
        brand: {
          50: "#f2f7f5",
          100: "#dcebe4",
          600: "#2f6f5a",
          700: "#245846",
          800: "#1c4537",
        },
      },
    },
  },
} satisfies Config;
