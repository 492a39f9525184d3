import { z } from 'zod';
import { emailSchema, newPasswordSchema } from './account';

/** The forms of the email flows, shared by the browser and the server. */
export const emailRequestSchema = z.object({ email: emailSchema });
export const newPasswordFormSchema = z.object({ password: newPasswordSchema });
export const changeEmailFormSchema = z.object({
  email: emailSchema,
  password: z.string({ error: 'Enter your current password.' }).min(1, 'Enter your current password.'),
});
